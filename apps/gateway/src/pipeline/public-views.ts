import type { Decision, Payment, PublicDecision, PublicPayment } from '@nexus/types';

/** A policy decision as the public API shows it (docs/architecture.md §6). */
export function publicDecision(decision: Decision): PublicDecision {
  return {
    id: decision.id,
    action: decision.action,
    reason: decision.reason,
    message: decision.message,
    variant: decision.variant,
    amount: decision.amount,
    agentId: decision.agentId,
    serviceId: decision.serviceId,
    requestedVariant: decision.requestedVariant,
    createdAt: decision.createdAt,
  };
}

/** A payment as the public API shows it (docs/architecture.md §6). */
export function publicPayment(payment: Payment): PublicPayment {
  return {
    id: payment.id,
    status: payment.status,
    mode: payment.mode,
    amount: payment.amount,
    txHash: payment.txHash,
    agentId: payment.agentId,
    serviceId: payment.serviceId,
    decisionId: payment.decisionId,
    createdAt: payment.createdAt,
    refund: payment.refund,
  };
}
