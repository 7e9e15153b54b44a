import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../database';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { LogEventHistory, LogEventRecord, LogEventStore, LogHistoryFigures, LogHistoryFilter } from './log-event-store';
import type { LoggerTables } from './logger-tables';
import { createLogEventStore } from './sql-log-event-store';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = new Date('2026-03-10T00:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const LARGEST = 999_999_999_999_999_999n;
const AGENTS = ['user-agent', 'batch-agent', 'research-agent'];
const SERVICES = ['IMAGE_GEN', 'PRICE_ORACLE', 'LOG_ARCHIVE'];
const ACTIONS = ['ALLOWED', 'DOWNGRADED', 'REJECTED'] as const;
const STATUSES = ['SUCCESS', 'MOCK', 'FAILED', 'REFUNDED'] as const;

function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(state / 65_536) % below;
  };
}

/** 300 events over three days, every kind, some huge amounts, and two on the edges of an hour. */
function generatedLog(): LogEventRecord[] {
  const next = random(7);
  const events: LogEventRecord[] = [];
  for (let index = 0; index < 300; index += 1) {
    const id = `h${String(index).padStart(4, '0')}`;
    const common = {
      id,
      occurredAt: at(index * 900_000 + next(600_000)),
      agentId: AGENTS[next(3)] ?? 'user-agent',
      serviceId: SERVICES[next(3)] ?? 'IMAGE_GEN',
    };
    if (index % 2 === 0) {
      events.push({
        ...common,
        kind: 'decision',
        action: ACTIONS[next(3)] ?? 'ALLOWED',
        reason: 'WITHIN_POLICY',
        message: 'ok',
        variant: null,
        amount: BigInt(next(5_000_000)),
        decisionId: `dec_${id}`,
        reservationId: null,
      });
    } else {
      events.push({
        ...common,
        kind: 'transaction',
        status: STATUSES[next(4)] ?? 'SUCCESS',
        amount: next(3) !== 0 ? LARGEST - BigInt(next(1_000)) : BigInt(1 + next(3_000_000)),
        paymentId: null,
        decisionId: null,
        txHash: null,
        reason: null,
        message: null,
      });
    }
  }
  const edge = (id: string, offsetMs: number): LogEventRecord => ({
    id,
    kind: 'transaction',
    occurredAt: at(offsetMs),
    agentId: 'edge-agent',
    serviceId: 'IMAGE_GEN',
    status: 'SUCCESS',
    amount: 500_000n,
    paymentId: null,
    decisionId: null,
    txHash: null,
    reason: null,
    message: null,
  });
  events.push(edge('edge-before', 5 * HOUR - 1), edge('edge-on', 5 * HOUR));
  return events;
}

const none = (): LogHistoryFigures => ({ calls: 0, rejected: 0, payments: 0, refunds: 0, spent: 0n, refunded: 0n });

function count(figures: LogHistoryFigures, event: LogEventRecord): void {
  if (event.kind === 'decision') {
    figures.calls += 1;
    if (event.action === 'REJECTED') figures.rejected += 1;
  } else if (event.status === 'SUCCESS' || event.status === 'MOCK') {
    figures.payments += 1;
    figures.spent += event.amount;
  } else if (event.status === 'REFUNDED') {
    figures.refunds += 1;
    figures.spent -= event.amount;
    figures.refunded += event.amount;
  }
}

/** The history computed here, one event at a time in plain bigint arithmetic, apart from the store's SQL. */
function expectedHistory(events: readonly LogEventRecord[], filter: LogHistoryFilter): LogEventHistory {
  const totals = none();
  const buckets = new Map<number, LogEventHistory['buckets'][number]>();
  for (const event of events) {
    if (filter.agentId !== undefined && event.agentId !== filter.agentId) continue;
    if (filter.serviceId !== undefined && event.serviceId !== filter.serviceId) continue;
    if (filter.from !== undefined && event.occurredAt < filter.from) continue;
    if (filter.to !== undefined && event.occurredAt >= filter.to) continue;
    const start = Math.floor(event.occurredAt.getTime() / filter.bucketMs) * filter.bucketMs;
    let point = buckets.get(start);
    if (!point) buckets.set(start, (point = { start: new Date(start), ...none(), byAgent: new Map(), byService: new Map() }));
    const byAgent = point.byAgent.get(event.agentId) ?? none();
    const byService = point.byService.get(event.serviceId) ?? none();
    for (const figures of [totals, point, byAgent, byService]) count(figures, event);
    point.byAgent.set(event.agentId, byAgent);
    point.byService.set(event.serviceId, byService);
  }
  return { totals, buckets: [...buckets.values()].sort((a, b) => a.start.getTime() - b.start.getTime()) };
}

describe.each(['sqlite', 'postgres'] as const)('spend history on %s', (dialect) => {
  let store: LogEventStore;
  let postgres: TemporaryPostgres | undefined;
  const events = generatedLog();

  beforeAll(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_logger') : undefined;
    const database = openDatabase<LoggerTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-history-')), 'logger.sqlite') },
    );
    store = await createLogEventStore(database);
    await store.append(events, T0, 'gateway');
  });
  afterAll(async () => {
    await store?.close();
    await postgres?.drop();
  });

  it('has no bucket on an empty window', async () => {
    expect(await store.history({ bucketMs: HOUR, from: at(-10 * HOUR), to: at(-HOUR) })).toEqual({ totals: none(), buckets: [] });
  });

  it.each<[string, LogHistoryFilter]>([
    ['by hour, everything', { bucketMs: HOUR }],
    ['by day, everything', { bucketMs: DAY }],
    ['by hour, one agent', { bucketMs: HOUR, agentId: 'batch-agent' }],
    ['by day, one service', { bucketMs: DAY, serviceId: 'PRICE_ORACLE' }],
    ['by hour, a window that cuts into buckets', { bucketMs: HOUR, from: at(HOUR / 2), to: at(30 * HOUR + 1) }],
    ['by day, an agent on a service in a window', { bucketMs: DAY, agentId: 'user-agent', serviceId: 'IMAGE_GEN', from: at(DAY / 3) }],
  ])('counts and sums %s exactly as computed apart', async (_name, filter) => {
    expect(await store.history(filter)).toEqual(expectedHistory(events, filter));
  });

  it('puts an event on the hour in that hour, and a millisecond before in the one before', async () => {
    const history = await store.history({ bucketMs: HOUR, agentId: 'edge-agent' });
    expect(history.buckets.map((point) => [point.start.toISOString(), point.payments, point.spent])).toEqual([
      ['2026-03-10T04:00:00.000Z', 1, 500_000n],
      ['2026-03-10T05:00:00.000Z', 1, 500_000n],
    ]);
  });

  it('covers what it means to: refunds, rejections, three days, and sums beyond 64 bits', () => {
    const all = expectedHistory(events, { bucketMs: DAY });
    expect(all.buckets).toHaveLength(4);
    expect(all.totals.refunds).toBeGreaterThan(5);
    expect(all.totals.rejected).toBeGreaterThan(5);
    expect(all.buckets.some((point) => point.spent + point.refunded > 2n ** 63n)).toBe(true);
  });
});
