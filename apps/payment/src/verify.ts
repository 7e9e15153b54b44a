import type { PaymentRecord, PaymentStore } from '@nexus/stores';
import { toBaseUnits, type VerifyReason, type VerifyRequest, type VerifyResult } from '@nexus/types';
import type { Settler } from './settler';
import { paymentView } from './views';

const answer = (valid: boolean, reason: VerifyReason, message: string, payment: PaymentRecord | undefined): VerifyResult => ({
  valid,
  reason,
  message,
  payment: payment ? paymentView(payment) : null,
});

/** What the ledger says of a payment against what a provider expects; null when it fits. */
function ledgerProblem(payment: PaymentRecord, request: VerifyRequest, minAmount: bigint): VerifyResult | null {
  if (payment.status === 'REFUNDED') return answer(false, 'REFUNDED', `payment ${payment.id} was refunded`, payment);
  if (payment.status !== 'SUCCESS' && payment.status !== 'MOCK')
    return answer(false, 'NOT_SETTLED', `payment ${payment.id} is ${payment.status}`, payment);
  if (payment.payee.toLowerCase() !== request.payee.toLowerCase())
    return answer(false, 'WRONG_PAYEE', `payment ${payment.id} went to ${payment.payee}`, payment);
  if (payment.serviceId !== request.serviceId)
    return answer(false, 'WRONG_SERVICE', `payment ${payment.id} is for ${payment.serviceId}`, payment);
  if (payment.amount < minAmount) return answer(false, 'AMOUNT_TOO_LOW', `payment ${payment.id} is below ${request.amount}`, payment);
  return null;
}

/**
 * Is this a valid payment for this payee, service and at least this amount?
 * By payment id: the ledger, and in chain mode the chain behind it. By tx
 * hash in chain mode: the chain is the judge, the ledger only adds context.
 */
export async function verifyPayment(request: VerifyRequest, store: PaymentStore, settler: Settler): Promise<VerifyResult> {
  const minAmount = toBaseUnits(request.amount);
  const payment = request.paymentId
    ? await store.get(request.paymentId)
    : request.txHash
      ? await store.findByTxHash(request.txHash)
      : undefined;

  if (payment) {
    const problem = ledgerProblem(payment, request, minAmount);
    if (problem) return problem;
  } else if (request.paymentId || settler.mode === 'mock') {
    return answer(false, 'UNKNOWN_PAYMENT', 'no such payment in the ledger', undefined);
  }

  const txHash = request.txHash ?? payment?.txHash;
  if (settler.mode === 'chain' && txHash) {
    const check = await settler.checkOnChain(txHash, {
      payee: request.payee,
      serviceId: request.serviceId,
      minAmount,
      ...(payment?.paymentRef ? { paymentRef: payment.paymentRef } : {}),
    });
    if (!check.valid) return answer(false, check.reason, check.message, payment);
  }
  return answer(true, 'VALID', payment ? `payment ${payment.id} is valid` : 'the chain holds a valid payment', payment);
}
