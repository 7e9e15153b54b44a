import { isServiceCallError, type PaymentClient } from '@nexus/clients';
import { fromBaseUnits, toBaseUnits, type PaymentProof } from '@nexus/types';
import { PaymentUnverifiableError, type PaymentExpectation, type PaymentVerifier, type VerifyOutcome } from './payment-verifier';

/** Mock mode: no chain to read, so the payments ledger is asked (`POST /payments/verify`). */
export class LedgerVerifier implements PaymentVerifier {
  readonly mode = 'mock' as const;

  constructor(private readonly payments: PaymentClient) {}

  async verify(proof: PaymentProof, expected: PaymentExpectation): Promise<VerifyOutcome> {
    try {
      const result = await this.payments.verify({
        paymentId: proof.paymentId,
        payee: expected.payee,
        serviceId: expected.serviceId,
        amount: fromBaseUnits(expected.minAmount),
      });
      if (!result.valid || !result.payment) return { valid: false, reason: result.reason, message: result.message };
      return {
        valid: true,
        amount: toBaseUnits(result.payment.amount),
        txHash: result.payment.txHash,
        paymentRef: result.payment.paymentRef,
      };
    } catch (error) {
      if (isServiceCallError(error))
        throw new PaymentUnverifiableError(`the payment service did not verify: ${error.message}`, { cause: error });
      throw error;
    }
  }

  ping(): Promise<void> {
    return this.payments.ping();
  }
}
