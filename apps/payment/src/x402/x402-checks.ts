import { MONEY_DECIMALS, X402Eip3009Payload, type X402FacilitatorRequest } from '@nexus/types';
import { getAddress, isAddress } from 'ethers';

/**
 * What this facilitator checks before the x402 library does: the library
 * checks the signature, the recipient against `payTo`, the validity window,
 * the value against the amount and (simulating the transfer) the rest, but it
 * pays whatever asset on whatever registered network the requirements name,
 * and its diagnosis of a failed simulation needs Multicall3, which the local
 * chain lacks. These close those gaps.
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
} as const;

export interface FacilitatorChain {
  /** eip155:<chainId> */
  network: string;
  token: { address: string; decimals: number };
}

/** A request this facilitator may hand to the library: its EIP-3009 payload parsed, the payer named. */
export interface CheckedRequest {
  authorization: X402Eip3009Payload['authorization'];
  signature: string;
  payer: string;
  /** the amount, in the ledger's base units (10^-6 MNEE), exact */
  baseUnits: bigint;
}

export type CheckOutcome = { ok: true; request: CheckedRequest } | { ok: false; reason: string; message: string; payer?: string };

const sameAddress = (a: string, b: string) => isAddress(a) && isAddress(b) && getAddress(a) === getAddress(b);

/**
 * The requirements name this chain, its MNEE token and the caller's own
 * payee; the payload accepted exactly those; the payload is an EIP-3009
 * authorization; the amount is exact MNEE money.
 */
export function checkRequest(body: X402FacilitatorRequest, chain: FacilitatorChain, payee: string | undefined): CheckOutcome {
  const { paymentPayload: payload, paymentRequirements: required } = body;
  const parsed = X402Eip3009Payload.safeParse(payload.payload);
  const payer = parsed.success ? getAddress(parsed.data.authorization.from) : undefined;
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
  if (!parsed.success || payer === undefined)
    return refuse(X402_REASONS.unsupportedPayload, 'the payload must be an EIP-3009 authorization');
  const amount = BigInt(required.amount);
  const unit = 10n ** BigInt(Math.max(0, chain.token.decimals - MONEY_DECIMALS));
  if (amount <= 0n || amount % unit !== 0n)
    return refuse(X402_REASONS.invalidValue, `the amount must be a positive whole number of 10^-${MONEY_DECIMALS} MNEE`);
  return {
    ok: true,
    request: { authorization: parsed.data.authorization, signature: parsed.data.signature, payer, baseUnits: amount / unit },
  };
}

/** One ledger row per authorization: `x402:<chainId>:<token>:<payer>:<nonce>`, lower case. */
export const authorizationKey = (network: string, token: string, payer: string, nonce: string): string =>
  `x402:${network.split(':')[1]}:${token}:${payer}:${nonce}`.toLowerCase();
