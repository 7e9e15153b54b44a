import type { DecisionEvent, TransactionEvent } from '@nexus/types';

/** A valid decision event for tests; `id` and `occurredAt` vary by index. */
export function decisionEvent(id: string, overrides: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    id,
    kind: 'decision',
    occurredAt: '2026-03-10T12:00:00.000Z',
    agentId: 'user-agent',
    serviceId: 'IMAGE_GEN',
    action: 'ALLOWED',
    reason: 'WITHIN_POLICY',
    message: 'within policy',
    variant: 'standard',
    amount: '0.05',
    decisionId: `dec-${id}`,
    reservationId: `res-${id}`,
    ...overrides,
  };
}

export function transactionEvent(id: string, overrides: Partial<TransactionEvent> = {}): TransactionEvent {
  return {
    id,
    kind: 'transaction',
    occurredAt: '2026-03-10T12:00:01.000Z',
    agentId: 'user-agent',
    serviceId: 'IMAGE_GEN',
    status: 'MOCK',
    amount: '0.05',
    paymentId: null,
    decisionId: `dec-${id}`,
    txHash: null,
    reason: null,
    message: null,
    ...overrides,
  };
}

export const decisionEvents = (prefix: string, count: number): DecisionEvent[] =>
  Array.from({ length: count }, (_, index) => decisionEvent(`${prefix}-${index}`));
