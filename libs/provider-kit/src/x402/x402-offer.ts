import { isError, type Provider } from 'ethers';
import type { PaymentRequirements } from '@x402/core/types';
import { MNEEToken__factory, toTokenUnits } from '@nexus/chain';

/** How this provider is paid over x402 v2: the `exact` scheme on its chain, in the MNEE token, to its payee. */
export interface X402Offer {
  /** CAIP-2: `eip155:<chainId>` */
  network: `eip155:${number}`;
  /** the MNEE token (the asset an `exact` payment authorizes) */
  asset: string;
  decimals: number;
  payTo: string;
  maxTimeoutSeconds: number;
  /**
   * the token's EIP-712 domain: a client signs the ERC-3009 authorization under it; null for a token
   * without one (the real MNEE): then only the Permit2 path is offered
   */
  domain: { name: string; version: string } | null;
}

export const X402_SCHEME = 'exact';
export const DEFAULT_X402_MAX_TIMEOUT_SECONDS = 300;

/**
 * Reads the token's EIP-712 domain (ERC-5267 `eip712Domain()`, which
 * ERC20Permit has) and makes the offer. A token that has none (the call
 * reverts or answers nothing, as the real MNEE does) cannot take an ERC-3009
 * authorization: its offer is the Permit2 path only. Any other failure (the
 * chain did not answer) is thrown: the provider must not guess.
 */
export async function readX402Offer(options: {
  provider: Provider;
  chainId: number;
  token: { address: string; decimals: number };
  payTo: string;
  maxTimeoutSeconds?: number;
}): Promise<X402Offer> {
  const domain = await MNEEToken__factory.connect(options.token.address, options.provider)
    .eip712Domain()
    .catch((error: unknown) => {
      if (isError(error, 'CALL_EXCEPTION') || isError(error, 'BAD_DATA')) return null;
      throw error;
    });
  return {
    network: `eip155:${options.chainId}`,
    asset: options.token.address,
    decimals: options.token.decimals,
    payTo: options.payTo,
    maxTimeoutSeconds: options.maxTimeoutSeconds ?? DEFAULT_X402_MAX_TIMEOUT_SECONDS,
    domain: domain && { name: domain.name, version: domain.version },
  };
}

/** `extra.assetTransferMethod` of the Permit2 path of `exact` (ERC-3009 when absent), as `@x402/evm` reads it. */
export const PERMIT2_TRANSFER_METHOD = 'permit2';

/** The `exact` requirement for a price (Nexus base units), its amount in the token's own units, with the path's `extra`. */
function exactRequirement(offer: X402Offer, price: bigint, extra: PaymentRequirements['extra']): PaymentRequirements {
  return {
    scheme: X402_SCHEME,
    network: offer.network,
    asset: offer.asset,
    amount: toTokenUnits(price, offer.decimals).toString(),
    payTo: offer.payTo,
    maxTimeoutSeconds: offer.maxTimeoutSeconds,
    extra,
  };
}

/** The ERC-3009 path: `extra` carries the token's EIP-712 domain, which the payer signs under. */
export function requirementsFor(offer: X402Offer & { domain: NonNullable<X402Offer['domain']> }, price: bigint): PaymentRequirements {
  return exactRequirement(offer, price, { name: offer.domain.name, version: offer.domain.version });
}

/**
 * The Permit2 path of the same offer: same price, asset and payee, with
 * `extra.assetTransferMethod: "permit2"` and no EIP-712 domain (the payer
 * signs over Permit2's own domain; `@x402/evm`'s server leaves `name` and
 * `version` out likewise for a token paid through Permit2 without EIP-2612).
 * The payer must have approved Permit2 for the token once.
 */
export function permit2RequirementsFor(offer: X402Offer, price: bigint): PaymentRequirements {
  return exactRequirement(offer, price, { assetTransferMethod: PERMIT2_TRANSFER_METHOD });
}

/**
 * Everything a 402 offers for a price, ERC-3009 first (the default of clients
 * that pick the first they can pay), then Permit2; Permit2 only for a token
 * without an EIP-712 domain.
 */
export function offersFor(offer: X402Offer, price: bigint): PaymentRequirements[] {
  const permit2 = permit2RequirementsFor(offer, price);
  return offer.domain ? [requirementsFor({ ...offer, domain: offer.domain }, price), permit2] : [permit2];
}

/** The requirement of `offersFor` a payload was made for: the Permit2 one when it accepted Permit2, else the ERC-3009 one. */
export function requirementsMatching(offer: X402Offer, price: bigint, accepted: Pick<PaymentRequirements, 'extra'>): PaymentRequirements {
  const domain = offer.domain;
  return accepted.extra?.['assetTransferMethod'] === PERMIT2_TRANSFER_METHOD || !domain
    ? permit2RequirementsFor(offer, price)
    : requirementsFor({ ...offer, domain }, price);
}
