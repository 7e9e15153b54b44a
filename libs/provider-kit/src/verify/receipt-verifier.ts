import type { KeyObject } from 'node:crypto';
import { verifyReceipt } from '@nexus/clients';
import { toBaseUnits, type PaymentProof } from '@nexus/types';
import type { PaymentExpectation, PaymentVerifier, VerifyOutcome } from './payment-verifier';

/**
 * Mock mode: a proof that carries the payment service's signed receipt is
 * checked here, with its public key alone (no call to the ledger): the
 * signature, the expiry, and that the receipt is for this payment, this
 * service, this payee and at least the price. A proof without a receipt
 * (a caller that is not the gateway) is asked of the ledger, as before.
 */
export class ReceiptVerifier implements PaymentVerifier {
  readonly mode = 'mock' as const;

  constructor(
    private readonly key: KeyObject,
    private readonly ledger: PaymentVerifier,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async verify(proof: PaymentProof, expected: PaymentExpectation): Promise<VerifyOutcome> {
    if (!proof.receipt) return this.ledger.verify(proof, expected);
    const check = await verifyReceipt(proof.receipt, this.key, this.now());
    if (!check.valid) return { valid: false, reason: 'RECEIPT_INVALID', message: `the receipt was refused: ${check.reason}` };
    const { claims } = check;
    if (claims.paymentId !== proof.paymentId)
      return { valid: false, reason: 'RECEIPT_INVALID', message: `the receipt is for payment ${claims.paymentId}, not ${proof.paymentId}` };
    if (claims.payee.toLowerCase() !== expected.payee.toLowerCase())
      return { valid: false, reason: 'WRONG_PAYEE', message: `payment ${claims.paymentId} went to ${claims.payee}` };
    if (claims.serviceId !== expected.serviceId)
      return { valid: false, reason: 'WRONG_SERVICE', message: `payment ${claims.paymentId} is for ${claims.serviceId}` };
    const amount = toBaseUnits(claims.amount);
    if (amount < expected.minAmount)
      return { valid: false, reason: 'AMOUNT_TOO_LOW', message: `payment ${claims.paymentId} is below the price` };
    return { valid: true, amount, txHash: null, paymentRef: null };
  }

  ping(): Promise<void> {
    return this.ledger.ping();
  }
}
