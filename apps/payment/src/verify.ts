import type { PaymentRecord, PaymentStore } from '@nexus/stores';
import { toBaseUnits, type VerifyReason, type VerifyRequest, type VerifyResult } from '@nexus/types';
import type { Settler } from './settler';
import { paymentView } from './views';

/** A payment that is not valid for this request, and why. */
const refused = (reason: Exclude<VerifyReason, 'VALID'>, message: string, payment: PaymentRecord | undefined): VerifyResult => ({
  valid: false,
  reason,
  message,
  payment: payment ? paymentView(payment) : null,
});

const accepted = (message: string, payment: PaymentRecord | undefined): VerifyResult => ({
  valid: true,
  reason: 'VALID',
  message,
  payment: payment ? paymentView(payment) : null,
});

/** What the ledger says of a payment against what a provider expects; null when it fits. */
function ledgerProblem(payment: PaymentRecord, request: VerifyRequest, minAmount: bigint): VerifyResult | null {
  if (payment.status === 'REFUNDED') return refused('REFUNDED', `payment ${payment.id} was refunded`, payment);
  if (payment.status !== 'SUCCESS' && payment.status !== 'MOCK')
    return refused('NOT_SETTLED', `payment ${payment.id} is ${payment.status}`, payment);
  if (payment.payee.toLowerCase() !== request.payee.toLowerCase())
    return refused('WRONG_PAYEE', `payment ${payment.id} went to ${payment.payee}`, payment);
  if (payment.serviceId !== request.serviceId)
    return refused('WRONG_SERVICE', `payment ${payment.id} is for ${payment.serviceId}`, payment);
  if (payment.amount < minAmount) return refused('AMOUNT_TOO_LOW', `payment ${payment.id} is below ${request.amount}`, payment);
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
      ? forThisCaller(await store.findByTxHash(request.txHash), request, minAmount)
      : undefined;

  if (payment) {
    const problem = ledgerProblem(payment, request, minAmount);
    if (problem) return problem;
  } else if (request.paymentId || settler.mode === 'mock') {
    return refused('UNKNOWN_PAYMENT', 'no such payment in the ledger', undefined);
  }

  const txHash = request.txHash ?? payment?.txHash;
  if (settler.mode === 'chain' && txHash) {
    const check = await settler.checkOnChain(txHash, {
      payee: request.payee,
      serviceId: request.serviceId,
      minAmount,
      ...(payment?.paymentRef ? { paymentRef: payment.paymentRef } : {}),
    });
    if (!check.valid) return refused(check.reason, check.message, payment);
  }
  return accepted(payment ? `payment ${payment.id} is valid` : 'the chain holds a valid payment', payment);
}

/**
 * Of the payments one transaction settled (a batch settles many, to several
 * payees), the one this request is about: to its payee, for its service,
 * settled, of at least the amount; else the closest, so the refusal names
 * what the transaction did pay.
 */
function forThisCaller(payments: readonly PaymentRecord[], request: VerifyRequest, minAmount: bigint): PaymentRecord | undefined {
  const ours = payments.filter(
    (payment) => payment.payee.toLowerCase() === request.payee.toLowerCase() && payment.serviceId === request.serviceId,
  );
  const settled = ours.filter((payment) => payment.status === 'SUCCESS' || payment.status === 'MOCK');
  return settled.find((payment) => payment.amount >= minAmount) ?? settled[0] ?? ours[0] ?? payments[0];
}
