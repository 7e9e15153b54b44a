import type { DecisionEvent, TransactionEvent } from '@nexus/types';

export const T0 = '2026-03-10T12:00:00.000Z';
/** T0 plus some milliseconds, as an ISO timestamp. */
export const at = (offsetMs: number) => new Date(Date.parse(T0) + offsetMs).toISOString();
export const TX_HASH = `0x${'ab'.repeat(32)}`;
export const PAYMENT_ID = `pay_${'c'.repeat(32)}`;

/** A decision event as the gateway sends it. */
export const decisionEvent = (id: string, overrides: Partial<DecisionEvent> = {}): DecisionEvent => ({
  id,
  kind: 'decision',
  occurredAt: T0,
  agentId: 'user-agent',
  serviceId: 'IMAGE_GEN',
  action: 'ALLOWED',
  reason: 'WITHIN_POLICY',
  message: 'within policy',
  variant: 'standard',
  amount: '0.05',
  decisionId: `dec_${id}`,
  reservationId: `res_${id}`,
  ...overrides,
});

/** A payment outcome event as the gateway sends it. */
export const transactionEvent = (id: string, overrides: Partial<TransactionEvent> = {}): TransactionEvent => ({
  id,
  kind: 'transaction',
  occurredAt: T0,
  agentId: 'user-agent',
  serviceId: 'IMAGE_GEN',
  status: 'SUCCESS',
  amount: '0.05',
  paymentId: PAYMENT_ID,
  decisionId: `dec_${id}`,
  txHash: TX_HASH,
  reason: null,
  message: null,
  ...overrides,
});
