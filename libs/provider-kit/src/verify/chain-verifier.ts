import {
  checkPaymentOnChain,
  fromTokenUnits,
  isTransientRpcError,
  paymentRefOf,
  toTokenUnits,
  withRpcRetry,
  type RetryPolicy,
} from '@nexus/chain';
import type { PaymentProof } from '@nexus/types';
import type { Provider } from 'ethers';
import { PaymentUnverifiableError, type PaymentExpectation, type PaymentVerifier, type VerifyOutcome } from './payment-verifier';

export interface ChainVerifierOptions {
  provider: Provider;
  router: string;
  /** the treasury: the only payer whose payments buy a call (anybody can pay through the router under any reference) */
  treasury: string;
  tokenDecimals: number;
  confirmations: number;
  retry: RetryPolicy;
}

/**
 * Chain mode: trusts nobody but the chain. The receipt of the proof's
 * transaction must hold the router's PaymentMade event with the reference
 * derived from the proof's payment id, from the treasury, to this
 * provider's payee, for its service, of at least the price, with enough
 * confirmations, not refunded.
 */
export class ChainVerifier implements PaymentVerifier {
  readonly mode = 'chain' as const;

  constructor(private readonly options: ChainVerifierOptions) {}

  async verify(proof: PaymentProof, expected: PaymentExpectation): Promise<VerifyOutcome> {
    if (!proof.txHash)
      return {
        valid: false,
        reason: 'TX_NOT_FOUND',
        message: 'in chain mode the proof needs the settlement transaction hash (X-Payment-Tx)',
      };
    const { provider, router, treasury, tokenDecimals, confirmations, retry } = this.options;
    const txHash = proof.txHash;
    try {
      const check = await withRpcRetry(
        () =>
          checkPaymentOnChain(
            provider,
            router,
            txHash,
            {
              payer: treasury,
              payee: expected.payee,
              serviceId: expected.serviceId,
              minAmount: toTokenUnits(expected.minAmount, tokenDecimals),
              paymentRef: paymentRefOf(proof.paymentId),
            },
            confirmations,
          ),
        retry,
      );
      if (!check.valid) return check;
      return {
        valid: true,
        amount: fromTokenUnits(check.event.amount, tokenDecimals),
        txHash: check.txHash,
        paymentRef: check.event.paymentRef,
      };
    } catch (error) {
      if (isTransientRpcError(error)) throw new PaymentUnverifiableError('the chain RPC did not answer', { cause: error });
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.options.provider.getBlockNumber();
  }
}
