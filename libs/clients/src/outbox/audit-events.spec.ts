import { DecisionEvent, TransactionEvent, type Decision, type Payment } from '@nexus/types';
import { decisionEvent, paymentEvents, transactionEvent } from './audit-events';

const settled: Payment = {
  id: `pay_${'b'.repeat(32)}`,
  status: 'SUCCESS',
  mode: 'chain',
  amount: '0.30',
  agentId: 'user-agent',
  serviceId: 'LOG_ARCHIVE',
  payee: `0x${'1'.repeat(40)}`,
  decisionId: 'dec_1',
  reservationId: 'res_1',
  idempotencyKey: 'gw-key',
  paymentRef: `0x${'2'.repeat(64)}`,
  txHash: `0x${'3'.repeat(64)}`,
  blockNumber: 7,
  gasUsed: '51000',
  failure: null,
  refund: null,
  attempts: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  settledAt: '2026-01-01T00:00:01.000Z',
};
const refunded: Payment = {
  ...settled,
  status: 'REFUNDED',
  refund: { txHash: `0x${'4'.repeat(64)}`, reason: 'the provider broke', refundedAt: '2026-01-01T00:00:05.000Z' },
};

describe('log events', () => {
  it('logs a decision under its own id, within the logger contract', () => {
    const decision: Decision = {
      id: 'dec_9',
      action: 'DOWNGRADED',
      reason: 'BUDGET_PRESSURE_DOWNGRADE',
      message: 'x'.repeat(600),
      agentId: 'ops-agent',
      serviceId: 'LOG_ARCHIVE',
      requestedVariant: null,
      variant: 'summary',
      amount: '0.05',
      reservationId: 'res_9',
      expiresAt: '2026-01-01T00:02:00.000Z',
      periodId: 1,
      grant: 'header.claims.signature',
      simulated: false,
      replayed: false,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    const event = DecisionEvent.parse(decisionEvent(decision));
    expect(event).toMatchObject({ id: 'dec:dec_9', decisionId: 'dec_9', reservationId: 'res_9', occurredAt: decision.createdAt });
    // The grant lets the treasury pay: it never reaches the audit trail.
    expect(JSON.stringify(event)).not.toContain(decision.grant);
    expect(event.message).toHaveLength(500);
  });

  it('logs a settled payment once, with its settlement transaction', () => {
    const events = paymentEvents(settled);
    expect(events.map((event) => TransactionEvent.parse(event).id)).toEqual([`pay:${settled.id}:SUCCESS`]);
    expect(events[0]).toMatchObject({ status: 'SUCCESS', txHash: settled.txHash, occurredAt: settled.settledAt, reason: null });
  });

  it('logs nothing for a payment still pending', () => {
    expect(paymentEvents({ ...settled, status: 'PENDING', settledAt: null })).toEqual([]);
  });

  it('logs a failed payment with its failure', () => {
    const failed: Payment = { ...settled, status: 'FAILED', txHash: null, failure: { code: 'REVERTED', message: 'out of gas' } };
    expect(paymentEvents(failed)).toEqual([
      expect.objectContaining({ id: `pay:${settled.id}:FAILED`, reason: 'REVERTED', message: 'out of gas' }),
    ]);
  });

  it('logs a payment found refunded as its settlement and its refund; the settlement is the very event logged before the refund', () => {
    const events = paymentEvents(refunded);
    expect(events.map((event) => TransactionEvent.parse(event).id)).toEqual([`pay:${settled.id}:SUCCESS`, `pay:${settled.id}:REFUNDED`]);
    // The logger refuses an id it holds with other content: the settlement must read the same as when it was first logged.
    expect(events[0]).toEqual(transactionEvent(settled, 'SUCCESS'));
    expect(events[1]).toMatchObject({
      status: 'REFUNDED',
      txHash: refunded.refund?.txHash,
      occurredAt: refunded.refund?.refundedAt,
      reason: 'REFUNDED',
      message: 'the provider broke',
    });
  });

  it('logs a mock payment found refunded as MOCK and REFUNDED', () => {
    const mock: Payment = {
      ...refunded,
      mode: 'mock',
      txHash: null,
      paymentRef: null,
      refund: { txHash: null, reason: 'gone', refundedAt: '2026-01-01T00:00:05.000Z' },
    };
    expect(paymentEvents(mock).map((event) => event.status)).toEqual(['MOCK', 'REFUNDED']);
  });
});
