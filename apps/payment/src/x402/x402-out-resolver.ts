import { rpcFailureText } from '@nexus/chain';
import type { PaymentRecord } from '@nexus/stores';
import type { ResolveResult } from '../settler';
import type { AuthorizationUse, X402AuthorizationChain } from './x402-authorization-chain';
import { signedAuthorizationOf } from './x402-out-payload';

export const X402_AUTHORIZATION_CANCELED = 'X402_AUTHORIZATION_CANCELED';
export const X402_AUTHORIZATION_EXPIRED = 'X402_AUTHORIZATION_EXPIRED';

/** The end a use on chain gives an x402-out payment; `pending` while the chain cannot tell yet. */
export function verdictOf(use: AuthorizationUse): ResolveResult {
  switch (use.kind) {
    case 'used':
      return { kind: 'settled', txHash: use.txHash, blockNumber: use.blockNumber, gasUsed: use.gasUsed };
    case 'canceled':
      return {
        kind: 'failed',
        code: X402_AUTHORIZATION_CANCELED,
        message: `the authorization was canceled${use.txHash ? ` (${use.txHash})` : ''}, nothing moved`,
      };
    case 'unused':
      return { kind: 'pending', message: 'the authorization is not used yet; the service may still settle it' };
    case 'unknown':
      return { kind: 'pending', message: 'the token marks the authorization used, but its transaction was not found yet' };
  }
}

/**
 * How the pending driver ends an x402-out payment: by the chain, never the
 * router (the service, not we, submits the transfer). Used → settled;
 * canceled → failed; unused and past its validBefore by the chain's clock
 * (it can never land) → failed X402_AUTHORIZATION_EXPIRED; else pending (its
 * hold stays pinned). A silent chain leaves it pending.
 */
export async function resolveX402Out(chain: X402AuthorizationChain, payment: PaymentRecord): Promise<ResolveResult> {
  const { authorization } = signedAuthorizationOf(payment);
  try {
    const use = await chain.lookUp(authorization.nonce);
    if (use.kind !== 'unused') return verdictOf(use);
    if ((await chain.blockTime()) < BigInt(authorization.validBefore)) return verdictOf(use);
    // looked at again: a transfer may have landed in the block that passed validBefore
    const late = await chain.lookUp(authorization.nonce);
    if (late.kind !== 'unused') return verdictOf(late);
    return {
      kind: 'failed',
      code: X402_AUTHORIZATION_EXPIRED,
      message: `the authorization expired unused (validBefore ${authorization.validBefore}); nothing moved`,
    };
  } catch (error) {
    return { kind: 'pending', message: `the chain did not answer: ${rpcFailureText(error)}` };
  }
}
