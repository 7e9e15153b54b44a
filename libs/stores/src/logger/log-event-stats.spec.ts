import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../database';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { LogEventRecord, LogEventStats, LogEventStore, LogStatsFilter, TransactionLogRecord } from './log-event-store';
import type { LoggerTables } from './logger-tables';
import { createLogEventStore } from './sql-log-event-store';

const T0 = new Date('2026-03-10T00:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const LARGEST = 999_999_999_999_999_999n;
const AGENTS = ['user-agent', 'batch-agent', 'research-agent', 'idle-agent'];
const SERVICES = ['IMAGE_GEN', 'PRICE_ORACLE', 'LOG_ARCHIVE', 'BATCH_COMPUTE'];
const ACTIONS = ['ALLOWED', 'DOWNGRADED', 'REJECTED', 'PENDING_APPROVAL'] as const;
const STATUSES = ['SUCCESS', 'MOCK', 'FAILED', 'REFUNDED'] as const;

/** A deterministic pseudo-random stream (so a failure reproduces). */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(state / 65_536) % below;
  };
}

/** 400 events over a day: decisions and payments of every kind, refunds of earlier payments, some huge amounts. */
function generatedLog(): LogEventRecord[] {
  const next = random(42);
  const events: LogEventRecord[] = [];
  const payments: TransactionLogRecord[] = [];
  for (let index = 0; index < 400; index += 1) {
    const id = `e${String(index).padStart(4, '0')}`;
    const common = {
      id,
      occurredAt: at(index * 200_000 + next(1_000)),
      agentId: AGENTS[next(3)] ?? 'user-agent',
      serviceId: SERVICES[next(3)] ?? 'IMAGE_GEN',
    };
    const paid = payments[next(Math.max(payments.length, 1))];
    if (index % 3 === 0) {
      events.push({
        ...common,
        kind: 'decision',
        action: ACTIONS[next(ACTIONS.length)] ?? 'ALLOWED',
        reason: 'WITHIN_POLICY',
        message: 'ok',
        variant: null,
        amount: next(2) ? BigInt(next(5_000_000)) : null,
        decisionId: `dec_${id}`,
        reservationId: null,
      });
    } else if (index % 7 === 0 && paid) {
      // a refund repeats the payment's agent, service and amount
      events.push({ ...paid, id, occurredAt: common.occurredAt, status: 'REFUNDED', reason: 'PROVIDER_FAILED' });
    } else {
      const status = STATUSES[next(3)] ?? 'SUCCESS';
      const amount = index % 5 < 3 ? LARGEST - BigInt(next(1_000)) : BigInt(1 + next(3_000_000));
      const payment: TransactionLogRecord = {
        ...common,
        kind: 'transaction',
        status,
        amount,
        paymentId: null,
        decisionId: null,
        txHash: null,
        reason: null,
        message: null,
      };
      events.push(payment);
      if (status !== 'FAILED') payments.push(payment);
    }
  }
  return events;
}

/** What the stats should be, computed here in plain bigint arithmetic, apart from the store's SQL. */
function expectedStats(events: readonly LogEventRecord[], filter: LogStatsFilter): LogEventStats {
  const inScope = events.filter(
    (event) =>
      (filter.agentId === undefined || event.agentId === filter.agentId) &&
      (filter.serviceId === undefined || event.serviceId === filter.serviceId) &&
      (filter.from === undefined || event.occurredAt >= filter.from) &&
      (filter.to === undefined || event.occurredAt < filter.to),
  );
  const stats: LogEventStats = {
    transactions: { SUCCESS: 0, MOCK: 0, FAILED: 0, REFUNDED: 0 },
    decisions: { ALLOWED: 0, DOWNGRADED: 0, REJECTED: 0, PENDING_APPROVAL: 0 },
    totalSpent: 0n,
    spendByAgent: new Map(),
    revenueByService: new Map(),
  };
  for (const event of inScope) {
    if (event.kind === 'decision') {
      stats.decisions[event.action] += 1;
      continue;
    }
    stats.transactions[event.status] += 1;
    if (event.status === 'FAILED') continue;
    const net = event.status === 'REFUNDED' ? -event.amount : event.amount;
    stats.totalSpent += net;
    stats.spendByAgent.set(event.agentId, (stats.spendByAgent.get(event.agentId) ?? 0n) + net);
    stats.revenueByService.set(event.serviceId, (stats.revenueByService.get(event.serviceId) ?? 0n) + net);
  }
  return stats;
}

describe.each(['sqlite', 'postgres'] as const)('event log stats on %s', (dialect) => {
  let store: LogEventStore;
  let postgres: TemporaryPostgres | undefined;
  const events = generatedLog();

  beforeAll(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_logger') : undefined;
    const database = openDatabase<LoggerTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-logger-')), 'logger.sqlite') },
    );
    store = await createLogEventStore(database);
    await store.append(events.slice(0, 250), T0, 'gateway');
    await store.append(events.slice(200), T0, 'gateway');
  });
  afterAll(async () => {
    await store?.close();
    await postgres?.drop();
  });

  it('is empty on an empty window', async () => {
    expect(await store.stats({ from: at(-10), to: at(-5) })).toEqual(expectedStats([], {}));
  });

  it.each<[string, LogStatsFilter]>([
    ['everything', {}],
    ['one agent', { agentId: 'batch-agent' }],
    ['one service', { serviceId: 'PRICE_ORACLE' }],
    ['one agent on one service', { agentId: 'user-agent', serviceId: 'IMAGE_GEN' }],
    ['a window', { from: at(20_000_000), to: at(50_000_000) }],
    ['an open-ended window', { from: at(60_000_000) }],
    ['an agent in a window', { agentId: 'research-agent', to: at(40_000_000) }],
  ])('counts and sums %s exactly as computed apart', async (_name, filter) => {
    const expected = expectedStats(events, filter);
    expect(await store.stats(filter)).toEqual(expected);
  });

  it('covers what the tests mean to cover: every action and status, refunds, sums beyond 64 bits', () => {
    const all = expectedStats(events, {});
    for (const count of [...Object.values(all.transactions), ...Object.values(all.decisions)]) expect(count).toBeGreaterThan(3);
    expect(all.totalSpent).toBeGreaterThan(2n ** 63n);
    expect([...all.spendByAgent.values()].some((amount) => amount > 2n ** 63n)).toBe(true);
    expect([...all.revenueByService.values()].some((amount) => amount > 2n ** 63n)).toBe(true);
  });

  it('answers a negative net when a window holds a refund but not its payment', async () => {
    const refund = events.find((event) => event.kind === 'transaction' && event.status === 'REFUNDED');
    if (refund?.kind !== 'transaction') throw new Error('the generated log has no refund');
    const window = { from: refund.occurredAt, to: at(refund.occurredAt.getTime() - T0.getTime() + 1) };
    expect(await store.stats(window)).toMatchObject({
      totalSpent: -refund.amount,
      spendByAgent: new Map([[refund.agentId, -refund.amount]]),
      revenueByService: new Map([[refund.serviceId, -refund.amount]]),
    });
  });
});
