import request from 'supertest';
import { authAs, expectValidationError } from '@nexus/service-kit/testing';
import { SpendHistory, type LogEvent } from '@nexus/types';
import { decisionEvent, transactionEvent } from './testing/events';
import { auth, createLoggerUnderTest, type LoggerUnderTest } from './testing/logger-harness';

const NOW = new Date('2026-03-12T09:30:00.000Z');
const iso = (text: string) => new Date(text).toISOString();

/** Two days of traffic: calls, a rejection, payments, a refund, two agents on two services. */
const EVENTS: LogEvent[] = [
  decisionEvent('d1', { occurredAt: iso('2026-03-10T10:05:00Z') }),
  transactionEvent('t1', { occurredAt: iso('2026-03-10T10:05:01Z'), amount: '0.50' }),
  decisionEvent('d2', { occurredAt: iso('2026-03-10T10:40:00Z'), agentId: 'batch-agent', serviceId: 'BATCH_COMPUTE', amount: '1.50' }),
  transactionEvent('t2', { occurredAt: iso('2026-03-10T10:40:01Z'), agentId: 'batch-agent', serviceId: 'BATCH_COMPUTE', amount: '1.50' }),
  transactionEvent('t2r', {
    occurredAt: iso('2026-03-10T12:00:00Z'),
    agentId: 'batch-agent',
    serviceId: 'BATCH_COMPUTE',
    amount: '1.50',
    status: 'REFUNDED',
    reason: 'PROVIDER_FAILED',
  }),
  decisionEvent('d3', { occurredAt: iso('2026-03-11T08:00:00Z'), action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED', amount: null }),
  decisionEvent('d4', { occurredAt: iso('2026-03-11T23:59:59.999Z'), serviceId: 'PRICE_ORACLE', amount: '0.05' }),
  transactionEvent('t4', { occurredAt: iso('2026-03-11T23:59:59.999Z'), serviceId: 'PRICE_ORACLE', amount: '0.05', status: 'MOCK' }),
  transactionEvent('t5', { occurredAt: iso('2026-03-12T00:00:00Z'), serviceId: 'PRICE_ORACLE', amount: '0.05', status: 'FAILED' }),
];

describe('logger GET /stats/history', () => {
  let service: LoggerUnderTest;
  beforeAll(async () => {
    service = await createLoggerUnderTest({ clock: () => NOW });
    expect((await request(service.app).post('/events').set(auth).send({ events: EVENTS })).status).toBe(201);
  });
  afterAll(async () => {
    await service?.close();
  });

  const history = async (query: Record<string, string>) => {
    const response = await request(service.app).get('/stats/history').set(auth).query(query);
    expect(response.status).toBe(200);
    return SpendHistory.parse(response.body);
  };

  it('sums each UTC day, by agent and by service, with money as strings, over the last 30 days by default', async () => {
    const days = await history({});
    expect(days).toMatchObject({ bucket: 'day', from: '2026-02-10T09:30:00.000Z', to: NOW.toISOString() });
    expect(days.totals).toEqual({ calls: 4, rejected: 1, payments: 3, refunds: 1, spent: '0.55', refunded: '1.50' });
    expect(days.buckets.map((point) => [point.start, point.calls, point.payments, point.spent])).toEqual([
      ['2026-03-10T00:00:00.000Z', 2, 2, '0.50'],
      ['2026-03-11T00:00:00.000Z', 2, 1, '0.05'],
      ['2026-03-12T00:00:00.000Z', 0, 0, '0.00'],
    ]);
    expect(days.buckets[0]?.byAgent).toEqual({
      'user-agent': { calls: 1, rejected: 0, payments: 1, refunds: 0, spent: '0.50', refunded: '0.00' },
      'batch-agent': { calls: 1, rejected: 0, payments: 1, refunds: 1, spent: '0.00', refunded: '1.50' },
    });
    expect(days.buckets[1]?.byService).toEqual({
      IMAGE_GEN: { calls: 1, rejected: 1, payments: 0, refunds: 0, spent: '0.00', refunded: '0.00' },
      PRICE_ORACLE: { calls: 1, rejected: 0, payments: 1, refunds: 0, spent: '0.05', refunded: '0.00' },
    });
  });

  it('cuts hours, leaves empty hours out, and filters by agent and service', async () => {
    const hours = await history({ bucket: 'hour', from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' });
    expect(hours.buckets.map((point) => [point.start, point.spent])).toEqual([
      ['2026-03-10T10:00:00.000Z', '2.00'],
      ['2026-03-10T12:00:00.000Z', '-1.50'],
    ]);
    const batch = await history({ bucket: 'hour', from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z', agentId: 'batch-agent' });
    expect(batch.totals).toMatchObject({ calls: 1, payments: 1, refunds: 1, spent: '0.00' });
    const oracle = await history({ serviceId: 'PRICE_ORACLE' });
    expect(oracle.totals).toMatchObject({ calls: 1, payments: 1, spent: '0.05' });
  });

  it.each<[string, Record<string, string>, string]>([
    ['more than 31 days of hours', { bucket: 'hour', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:01Z' }, 'query.to'],
    ['more than 400 days of days', { bucket: 'day', from: '2025-01-01T00:00:00Z', to: '2026-02-06T00:00:00Z' }, 'query.to'],
    ['an empty window', { from: '2026-03-10T00:00:00Z', to: '2026-03-10T00:00:00Z' }, 'query.from'],
    ['a window back to front', { from: '2026-03-11T00:00:00Z', to: '2026-03-10T00:00:00Z' }, 'query.from'],
    ['an unknown bucket', { bucket: 'week' }, 'query.bucket'],
  ])('refuses %s with a 400 naming the field', async (_name, query, path) => {
    expectValidationError(await request(service.app).get('/stats/history').set(auth).query(query), [path]);
  });

  it('answers the operator, and refuses the payment service (403)', async () => {
    expect((await request(service.app).get('/stats/history').set(authAs('operator'))).status).toBe(200);
    expect((await request(service.app).get('/stats/history').set(authAs('payment'))).status).toBe(403);
  });
});
