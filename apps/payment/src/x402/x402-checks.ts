import { MONEY_DECIMALS, X402Eip3009Payload, X402Permit2Payload, type X402FacilitatorRequest } from '@nexus/types';
import { permit2NonceHex } from '@nexus/chain';
import { getAddress, isAddress } from 'ethers';

/**
 * What this facilitator checks before the x402 library does: the library
 * checks the signature, the recipient against `payTo`, the validity window,
 * the value against the amount and (simulating the transfer) the rest, but it
 * pays whatever asset on whatever registered network the requirements name,
 * and its diagnosis of a failed simulation needs Multicall3, which the local
 * chain lacks. These close those gaps, for both paths of the scheme: an
 * ERC-3009 authorization, or (`extra.assetTransferMethod: "permit2"`) a
 * Permit2 `PermitWitnessTransferFrom` for the x402 exact Permit2 proxy.
 */

/** Reasons of the x402 v2 spec (and the exact EVM scheme's own) this facilitator answers with. */
export const X402_REASONS = {
  invalidNetwork: 'invalid_network',
  invalidRequirements: 'invalid_payment_requirements',
  unsupportedPayload: 'unsupported_payload_type',
  invalidScheme: 'invalid_exact_evm_scheme',
  networkMismatch: 'invalid_exact_evm_network_mismatch',
  nonceUsed: 'invalid_exact_evm_nonce_already_used',
  insufficientBalance: 'invalid_exact_evm_insufficient_balance',
  invalidValue: 'invalid_exact_evm_authorization_value',
  permit2NonceUsed: 'permit2_invalid_nonce',
  permit2InsufficientBalance: 'permit2_insufficient_balance',
  permit2AllowanceRequired: 'permit2_allowance_required',
} as const;

export interface FacilitatorChain {
  /** eip155:<chainId> */
  network: string;
  token: { address: string; decimals: number };
}

interface CheckedBase {
  signature: string;
  /** the permit's owner or the authorization's `from` */
  payer: string;
  /** the amount, in the ledger's base units (10^-6 MNEE), exact */
  baseUnits: bigint;
  /**
   * the nonce as the ledger keeps it (`authorization_nonce`), lower case: the
   * ERC-3009 bytes32, or the Permit2 uint256 as 0x and 64 hex digits
   */
  nonce: string;
}

/** A request this facilitator may hand to the library: its payload parsed (either path), the payer named. */
export type CheckedRequest =
  | (CheckedBase & { method: 'eip3009'; authorization: X402Eip3009Payload['authorization'] })
  | (CheckedBase & { method: 'permit2'; permit2Authorization: X402Permit2Payload['permit2Authorization'] });

/** The offer's transfer method: `permit2`, or ERC-3009 when absent (as `@x402/evm` reads `extra.assetTransferMethod`). */
export const transferMethodOf = (extra: Record<string, unknown> | undefined): string =>
  typeof extra?.['assetTransferMethod'] === 'string' ? extra['assetTransferMethod'] : 'eip3009';

type ParsedPayload =
  | { method: 'eip3009'; payer: string; signature: string; authorization: X402Eip3009Payload['authorization'] }
  | { method: 'permit2'; payer: string; signature: string; permit2Authorization: X402Permit2Payload['permit2Authorization'] };

function parsePayload(payload: Record<string, unknown>): ParsedPayload | undefined {
  const eip3009 = X402Eip3009Payload.safeParse(payload);
  if (eip3009.success) return { method: 'eip3009', payer: getAddress(eip3009.data.authorization.from), ...eip3009.data };
  const permit2 = X402Permit2Payload.safeParse(payload);
  if (permit2.success) return { method: 'permit2', payer: getAddress(permit2.data.permit2Authorization.from), ...permit2.data };
  return undefined;
}

export type CheckOutcome = { ok: true; request: CheckedRequest } | { ok: false; reason: string; message: string; payer?: string };

const sameAddress = (a: string, b: string) => isAddress(a) && isAddress(b) && getAddress(a) === getAddress(b);

/**
 * The requirements name this chain, its MNEE token and the caller's own
 * payee; the payload accepted exactly those; the payload is an EIP-3009
 * authorization or a Permit2 permit, whichever the requirements' transfer
 * method names; the amount is exact MNEE money.
 */
export function checkRequest(body: X402FacilitatorRequest, chain: FacilitatorChain, payee: string | undefined): CheckOutcome {
  const { paymentPayload: payload, paymentRequirements: required } = body;
  const parsed = parsePayload(payload.payload);
  const payer = parsed?.payer;
  const refuse = (reason: string, message: string): CheckOutcome => ({ ok: false, reason, message, ...(payer ? { payer } : {}) });
  if (required.scheme !== 'exact' || payload.accepted.scheme !== 'exact')
    return refuse(X402_REASONS.invalidScheme, 'this facilitator settles the exact scheme only');
  if (required.network !== chain.network) return refuse(X402_REASONS.invalidNetwork, `this facilitator settles on ${chain.network} only`);
  if (payload.accepted.network !== required.network)
    return refuse(X402_REASONS.networkMismatch, 'the payload was signed for another network');
  if (!sameAddress(required.asset, chain.token.address))
    return refuse(X402_REASONS.invalidRequirements, `the asset must be the MNEE token ${chain.token.address}`);
  if (payee === undefined || !sameAddress(required.payTo, payee))
    return refuse(X402_REASONS.invalidRequirements, "payTo must be the calling provider's own payee");
  const accepted = payload.accepted;
  if (!sameAddress(accepted.asset, required.asset) || !sameAddress(accepted.payTo, required.payTo) || accepted.amount !== required.amount)
    return refuse(X402_REASONS.invalidRequirements, 'the payload accepted other requirements than these');
  const method = transferMethodOf(required.extra);
  if (method !== 'eip3009' && method !== 'permit2')
    return refuse(X402_REASONS.invalidRequirements, `the transfer method ${method} is not settled here (eip3009 or permit2)`);
  if (transferMethodOf(accepted.extra) !== method)
    return refuse(X402_REASONS.invalidRequirements, 'the payload accepted another transfer method than these requirements');
  if (!parsed || parsed.method !== method)
    return refuse(
      X402_REASONS.unsupportedPayload,
      method === 'permit2' ? 'the payload must be a Permit2 permit with its witness' : 'the payload must be an EIP-3009 authorization',
    );
  const amount = BigInt(required.amount);
  const unit = 10n ** BigInt(Math.max(0, chain.token.decimals - MONEY_DECIMALS));
  if (amount <= 0n || amount % unit !== 0n)
    return refuse(X402_REASONS.invalidValue, `the amount must be a positive whole number of 10^-${MONEY_DECIMALS} MNEE`);
  const baseUnits = amount / unit;
  return {
    ok: true,
    request:
      parsed.method === 'eip3009'
        ? { ...parsed, baseUnits, nonce: parsed.authorization.nonce.toLowerCase() }
        : { ...parsed, baseUnits, nonce: permit2NonceHex(parsed.permit2Authorization.nonce) },
  };
}

/**
 * One ledger row per authorization: `x402:<chainId>:<token>:<payer>:<nonce>`,
 * lower case; a Permit2 permit's `x402:<chainId>:<token>:<payer>:permit2:<nonce>`
 * (Permit2's nonces are another space than the token's ERC-3009 ones).
 */
export const authorizationKey = (network: string, token: string, request: Pick<CheckedRequest, 'method' | 'payer' | 'nonce'>): string =>
  `x402:${network.split(':')[1]}:${token}:${request.payer}:${request.method === 'permit2' ? 'permit2:' : ''}${request.nonce}`.toLowerCase();
