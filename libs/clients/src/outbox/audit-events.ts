import type { Decision, DecisionEvent, Payment, TransactionEvent, TransactionStatus } from '@nexus/types';

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A decision for the audit trail; its id is the decision's, so a replayed decision is logged once. */
export function decisionEvent(decision: Decision): DecisionEvent {
  return {
    id: `dec:${decision.id}`,
    kind: 'decision',
    occurredAt: decision.createdAt,
    agentId: decision.agentId,
    serviceId: decision.serviceId,
    action: decision.action,
    reason: decision.reason,
    message: clip(decision.message, 500),
    variant: decision.variant,
    amount: decision.amount,
    decisionId: decision.id,
    reservationId: decision.reservationId,
  };
}

/**
 * One payment outcome for the audit trail, one event per status a payment
 * reaches (`pay:<id>:<status>`): a refunded payment has its SUCCESS (or MOCK)
 * and then its REFUNDED, which carries the refund's transaction.
 */
export function transactionEvent(payment: Payment, status: TransactionStatus): TransactionEvent {
  const refunded = status === 'REFUNDED';
  return {
    id: `pay:${payment.id}:${status}`,
    kind: 'transaction',
    occurredAt: refunded ? (payment.refund?.refundedAt ?? payment.createdAt) : (payment.settledAt ?? payment.createdAt),
    agentId: payment.agentId,
    serviceId: payment.serviceId,
    status,
    amount: payment.amount,
    paymentId: payment.id,
    decisionId: payment.decisionId,
    txHash: refunded ? (payment.refund?.txHash ?? null) : payment.txHash,
    reason: refunded ? 'REFUNDED' : (payment.failure?.code.slice(0, 100) ?? null),
    message: refunded ? clip(payment.refund?.reason ?? 'refunded', 500) : payment.failure ? clip(payment.failure.message, 500) : null,
  };
}

/**
 * The events of every status a payment has reached so far: one for a
 * settled or failed payment, none while PENDING, and for a payment found
 * already refunded (an earlier attempt with the same key died after its
 * refund) both its settlement and its refund, so the audit trail never has
 * a refund without the payment it undoes. Ids repeat, so a status logged
 * before is stored once.
 */
export function paymentEvents(payment: Payment): TransactionEvent[] {
  switch (payment.status) {
    case 'PENDING':
      return [];
    case 'REFUNDED':
      return [transactionEvent(payment, payment.mode === 'mock' ? 'MOCK' : 'SUCCESS'), transactionEvent(payment, 'REFUNDED')];
    case 'SUCCESS':
    case 'MOCK':
    case 'FAILED':
      return [transactionEvent(payment, payment.status)];
  }
}
