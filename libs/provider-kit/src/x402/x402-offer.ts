import type { Provider } from 'ethers';
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
  /** the token's EIP-712 domain: a client signs the ERC-3009 authorization under it */
  domain: { name: string; version: string };
}

export const X402_SCHEME = 'exact';
export const DEFAULT_X402_MAX_TIMEOUT_SECONDS = 300;

/** Reads the token's EIP-712 domain (ERC-5267 `eip712Domain()`, which ERC20Permit has) and makes the offer. */
export async function readX402Offer(options: {
  provider: Provider;
  chainId: number;
  token: { address: string; decimals: number };
  payTo: string;
  maxTimeoutSeconds?: number;
}): Promise<X402Offer> {
  const domain = await MNEEToken__factory.connect(options.token.address, options.provider).eip712Domain();
  return {
    network: `eip155:${options.chainId}`,
    asset: options.token.address,
    decimals: options.token.decimals,
    payTo: options.payTo,
    maxTimeoutSeconds: options.maxTimeoutSeconds ?? DEFAULT_X402_MAX_TIMEOUT_SECONDS,
    domain: { name: domain.name, version: domain.version },
  };
}

/** The `exact` requirement for a price (Nexus base units), its amount in the token's own units. */
export function requirementsFor(offer: X402Offer, price: bigint): PaymentRequirements {
  return {
    scheme: X402_SCHEME,
    network: offer.network,
    asset: offer.asset,
    amount: toTokenUnits(price, offer.decimals).toString(),
    payTo: offer.payTo,
    maxTimeoutSeconds: offer.maxTimeoutSeconds,
    extra: { name: offer.domain.name, version: offer.domain.version },
  };
}
