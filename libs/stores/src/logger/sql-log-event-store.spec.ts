import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../database';
import { InvalidCursorError } from '../payment/payment-store';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type {
  DecisionLogRecord,
  LogEventFilter,
  LogEventRecord,
  LogEventStore,
  StoredLogEvent,
  TransactionLogRecord,
} from './log-event-store';
import type { LoggerTables } from './logger-tables';
import { createLogEventStore } from './sql-log-event-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const NOW = at(3_600_000);

const decision = (id: string, overrides: Partial<DecisionLogRecord> = {}): DecisionLogRecord => ({
  id,
  kind: 'decision',
  occurredAt: T0,
  agentId: 'user-agent',
  serviceId: 'IMAGE_GEN',
  action: 'ALLOWED',
  reason: 'WITHIN_POLICY',
  message: 'within policy',
  variant: 'standard',
  amount: 50_000n,
  decisionId: `dec_${id}`,
  reservationId: `res_${id}`,
  ...overrides,
});

const transaction = (id: string, overrides: Partial<TransactionLogRecord> = {}): TransactionLogRecord => ({
  id,
  kind: 'transaction',
  occurredAt: T0,
  agentId: 'user-agent',
  serviceId: 'IMAGE_GEN',
  status: 'SUCCESS',
  amount: 50_000n,
  paymentId: `pay_${'a'.repeat(32)}`,
  decisionId: `dec_${id}`,
  txHash: `0x${'ab'.repeat(32)}`,
  reason: null,
  message: null,
  ...overrides,
});

/** Every page of a list, walked through its cursors. */
async function walk(store: LogEventStore, filter: Omit<LogEventFilter, 'cursor'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list({ ...filter, ...(cursor ? { cursor } : {}) });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(filter.limit);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ids, pages };
}

/** Newest first by occurredAt, then id: computed here, apart from the store. */
const newestFirst = (events: readonly LogEventRecord[]) =>
  [...events]
    .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((event) => event.id);

/** A mixed log: 3 agents, 3 services, every action and status, many events sharing a timestamp. */
function mixedLog(): LogEventRecord[] {
  const agents = ['user-agent', 'batch-agent', 'research-agent'];
  const services = ['IMAGE_GEN', 'PRICE_ORACLE', 'LOG_ARCHIVE'];
  const actions = ['ALLOWED', 'DOWNGRADED', 'REJECTED'] as const;
  const statuses = ['SUCCESS', 'MOCK', 'FAILED', 'REFUNDED', 'SUCCESS'] as const;
  const events: LogEventRecord[] = [];
  for (let index = 0; index < 60; index += 1) {
    const id = `evt${String(index).padStart(4, '0')}`;
    const common = {
      agentId: agents[index % 3] ?? 'user-agent',
      serviceId: services[Math.floor(index / 3) % 3] ?? 'IMAGE_GEN',
      // runs of equal timestamps: the id alone orders them
      occurredAt: at(Math.floor(index / 4) * 1_000),
    };
    events.push(
      index % 2 === 0
        ? decision(id, { ...common, action: actions[(index / 2) % 3] ?? 'ALLOWED' })
        : transaction(id, { ...common, status: statuses[index % 5] ?? 'SUCCESS', amount: BigInt(1 + ((index * 7_919) % 2_000_003)) }),
    );
  }
  return events;
}

describe.each(['sqlite', 'postgres'] as const)('event log on %s', (dialect) => {
  let store: LogEventStore;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_logger') : undefined;
    const database = openDatabase<LoggerTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-logger-')), 'logger.sqlite') },
    );
    store = await createLogEventStore(database);
  });
  afterEach(async () => {
    await store.close();
    await postgres?.drop();
  });

  describe('appending', () => {
    it('stores each event as sent, with when it was recorded', async () => {
      const sent = [
        decision('d1', { variant: null, amount: null, reservationId: null, action: 'REJECTED', reason: 'AGENT_PAUSED' }),
        transaction('t1', { txHash: `0x${'AB'.repeat(32)}`, status: 'REFUNDED', reason: 'PROVIDER_FAILED', message: 'upstream 500' }),
        transaction('t2', { status: 'MOCK', paymentId: null, decisionId: null, txHash: null, amount: 999_999_999_999_999_999n }),
      ];

      expect(await store.append(sent, NOW, 'gateway')).toEqual({ outcome: 'stored', accepted: 3, duplicates: 0 });

      expect(await store.get('d1')).toEqual<StoredLogEvent>({ ...(sent[0] as DecisionLogRecord), recordedAt: NOW, sender: 'gateway' });
      expect(await store.get('t1')).toEqual<StoredLogEvent>({
        ...(sent[1] as TransactionLogRecord),
        txHash: `0x${'ab'.repeat(32)}`,
        recordedAt: NOW,
        sender: 'gateway',
      });
      expect(await store.get('t2')).toEqual<StoredLogEvent>({ ...(sent[2] as TransactionLogRecord), recordedAt: NOW, sender: 'gateway' });
      expect(await store.get('unknown')).toBeUndefined();
    });

    it('accepts a repeated post of the same events as duplicates and keeps the first record', async () => {
      const events = [decision('d1'), transaction('t1')];
      await store.append(events, NOW, 'gateway');

      expect(await store.append(events, at(NOW.getTime() - T0.getTime() + 5_000), 'gateway')).toEqual({
        outcome: 'stored',
        accepted: 0,
        duplicates: 2,
      });
      expect(await store.append([transaction('t2'), decision('d1')], NOW, 'gateway')).toEqual({
        outcome: 'stored',
        accepted: 1,
        duplicates: 1,
      });

      expect((await store.list({ limit: 10 })).items.map((item) => [item.id, item.recordedAt])).toEqual([
        ['t2', NOW],
        ['t1', NOW],
        ['d1', NOW],
      ]);
    });

    it('treats a tx hash in other letter case as the same content', async () => {
      await store.append([transaction('t1', { txHash: `0x${'ab'.repeat(32)}` })], NOW, 'gateway');
      expect(await store.append([transaction('t1', { txHash: `0x${'AB'.repeat(32)}` })], NOW, 'gateway')).toMatchObject({ duplicates: 1 });
    });

    it('counts an id repeated inside one batch with the same content once', async () => {
      expect(await store.append([decision('d1'), decision('d1'), decision('d2')], NOW, 'gateway')).toEqual({
        outcome: 'stored',
        accepted: 2,
        duplicates: 1,
      });
    });

    it('refuses a whole batch when one id is already stored with other content, naming it', async () => {
      await store.append([transaction('t1'), decision('d1')], NOW, 'gateway');

      const outcome = await store.append(
        [decision('d2'), transaction('t1', { amount: 50_001n }), decision('d1', { message: 'edited' }), transaction('t3')],
        NOW,
        'gateway',
      );

      expect(outcome).toEqual({ outcome: 'conflict', ids: ['d1', 't1'] });
      expect(await store.get('d2')).toBeUndefined();
      expect(await store.get('t3')).toBeUndefined();
      expect(await store.get('t1')).toMatchObject({ amount: 50_000n });
      expect((await store.list({ limit: 10 })).items).toHaveLength(2);
    });

    it('refuses a sender other content under an id another sender stored, and stores nothing of its batch', async () => {
      const gatewayEvent = transaction('t1');
      await store.append([gatewayEvent], NOW, 'gateway');

      expect(await store.append([decision('p1'), transaction('t1', { amount: 1_000_000_000n })], NOW, 'payment')).toEqual({
        outcome: 'foreign',
        ids: ['t1'],
      });

      expect(await store.get('p1')).toBeUndefined();
      expect(await store.get('t1')).toMatchObject({ amount: gatewayEvent.amount, sender: 'gateway' });
      // the same end told by another sender is a duplicate: stored once, still the first sender's
      expect(await store.append([gatewayEvent], NOW, 'payment')).toEqual({ outcome: 'stored', accepted: 0, duplicates: 1 });
      expect(await store.get('t1')).toMatchObject({ sender: 'gateway' });
      expect(await store.append([gatewayEvent], NOW, 'gateway')).toEqual({ outcome: 'stored', accepted: 0, duplicates: 1 });
    });

    it('refuses a batch that repeats an id with other content', async () => {
      expect(await store.append([decision('d0'), decision('d1'), decision('d1', { action: 'REJECTED' })], NOW, 'gateway')).toEqual({
        outcome: 'conflict',
        ids: ['d1'],
      });
      expect((await store.list({ limit: 10 })).items).toEqual([]);
    });

    it('tells every field apart: changing any one of them is a conflict', async () => {
      const base = transaction('t1');
      await store.append([base, decision('d1')], NOW, 'gateway');
      const variants: LogEventRecord[] = [
        { ...base, occurredAt: at(1) },
        { ...base, agentId: 'other' },
        { ...base, serviceId: 'OTHER' },
        { ...base, status: 'MOCK' },
        { ...base, amount: 1n },
        { ...base, paymentId: null },
        { ...base, decisionId: 'dec_other' },
        { ...base, txHash: null },
        { ...base, reason: 'X' },
        { ...base, message: 'x' },
        decision('t1', { occurredAt: base.occurredAt, decisionId: 'dec_t1' }),
        decision('d1', { variant: 'summary' }),
        decision('d1', { amount: null }),
        decision('d1', { reservationId: null }),
        decision('d1', { reason: 'DAILY_BUDGET_DOWNGRADE' }),
      ];
      for (const variant of variants)
        expect(await store.append([variant], NOW, 'gateway')).toEqual({ outcome: 'conflict', ids: [variant.id] });
    });

    it('stores an event once when 30 posts of it race', async () => {
      const event = transaction('raced');
      const outcomes = await Promise.all(Array.from({ length: 30 }, () => store.append([event], NOW, 'gateway')));

      expect(outcomes.filter((outcome) => outcome.outcome === 'stored' && outcome.accepted === 1)).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.outcome === 'stored' && outcome.duplicates === 1)).toHaveLength(29);
      expect((await store.list({ limit: 10 })).items.map((item) => item.id)).toEqual(['raced']);
    });

    it('stores each event once when overlapping batches race in opposite orders', async () => {
      const events = ['a1', 'b2', 'c3', 'd4', 'e5'].map((id) => decision(id));
      const reversed = [...events].reverse();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, index) => store.append(index % 2 ? events : reversed, NOW, 'gateway')),
      );

      const accepted = outcomes.map((outcome) => (outcome.outcome === 'stored' ? outcome.accepted : Number.NaN));
      expect(accepted.reduce((sum, count) => sum + count, 0)).toBe(5);
      expect((await store.list({ limit: 10 })).items).toHaveLength(5);
    });

    it('rolls back a conflicting batch while a racing batch of the same new ids stores them once', async () => {
      await store.append([decision('taken')], NOW, 'gateway');
      const good = [decision('n1'), decision('n2')];
      const bad = [decision('n1'), decision('n2'), decision('taken', { message: 'other' })];
      const outcomes = await Promise.all([
        store.append(bad, NOW, 'gateway'),
        store.append(good, NOW, 'gateway'),
        store.append(bad, NOW, 'gateway'),
      ]);

      expect(outcomes[0]).toEqual({ outcome: 'conflict', ids: ['taken'] });
      expect(outcomes[1]).toEqual({ outcome: 'stored', accepted: 2, duplicates: 0 });
      expect(outcomes[2]).toEqual({ outcome: 'conflict', ids: ['taken'] });
      expect((await store.list({ limit: 10 })).items.map((item) => item.id).sort()).toEqual(['n1', 'n2', 'taken']);
    });
  });

  describe('listing', () => {
    const events = mixedLog();
    beforeEach(async () => {
      expect(await store.append(events, NOW, 'gateway')).toMatchObject({ accepted: events.length });
    });

    it('walks every page once, newest first, through runs of equal timestamps', async () => {
      for (const limit of [1, 3, 4, 7, 60, 500]) {
        const { ids, pages } = await walk(store, { limit });
        expect(ids).toEqual(newestFirst(events));
        expect(pages).toBe(Math.max(1, Math.ceil(events.length / limit)));
      }
    });

    it.each<[string, Omit<LogEventFilter, 'limit' | 'cursor'>, (event: LogEventRecord) => boolean]>([
      ['kind', { kind: 'decision' }, (event) => event.kind === 'decision'],
      ['agent', { agentId: 'batch-agent' }, (event) => event.agentId === 'batch-agent'],
      ['service', { serviceId: 'LOG_ARCHIVE' }, (event) => event.serviceId === 'LOG_ARCHIVE'],
      ['action', { action: 'DOWNGRADED' }, (event) => event.kind === 'decision' && event.action === 'DOWNGRADED'],
      ['status', { status: 'REFUNDED' }, (event) => event.kind === 'transaction' && event.status === 'REFUNDED'],
      ['from (inclusive)', { from: at(5_000) }, (event) => event.occurredAt >= at(5_000)],
      ['to (exclusive)', { to: at(5_000) }, (event) => event.occurredAt < at(5_000)],
      ['window', { from: at(3_000), to: at(9_000) }, (event) => event.occurredAt >= at(3_000) && event.occurredAt < at(9_000)],
      [
        'everything at once',
        { kind: 'transaction', agentId: 'user-agent', status: 'SUCCESS', from: at(1_000), to: at(14_000) },
        (event) =>
          event.kind === 'transaction' &&
          event.agentId === 'user-agent' &&
          event.status === 'SUCCESS' &&
          event.occurredAt >= at(1_000) &&
          event.occurredAt < at(14_000),
      ],
    ])('filters by %s, across pages', async (_name, filter, matches) => {
      const expected = newestFirst(events.filter(matches));
      expect(expected.length).toBeGreaterThan(1);
      const { ids } = await walk(store, { ...filter, limit: 4 });
      expect(ids).toEqual(expected);
    });

    it('finds nothing for an action with a status (no event has both) or an empty window', async () => {
      expect(await store.list({ action: 'ALLOWED', status: 'SUCCESS', limit: 10 })).toEqual({ items: [], nextCursor: null });
      expect(await store.list({ from: at(5_000), to: at(5_000), limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('continues a page after its last event even when events arrive meanwhile', async () => {
      const first = await store.list({ limit: 5 });
      const arrived = [
        decision('late', { occurredAt: at(999_000) }),
        decision('evt0058a', { occurredAt: at(14_000) }),
        decision('evt0000a', { occurredAt: at(0) }),
      ];
      await store.append(arrived, NOW, 'gateway');

      const rest = await walk(store, { limit: 100 });
      const second = await store.list({ limit: 100, cursor: first.nextCursor ?? '' });

      const firstIds = first.items.map((item) => item.id);
      expect(firstIds).toEqual(newestFirst(events).slice(0, 5));
      // Newer than the cursor: not on the following pages; older: on them, in order.
      const afterCursor = rest.ids.slice(rest.ids.indexOf(firstIds.at(-1) ?? '') + 1);
      expect(second.items.map((item) => item.id)).toEqual(afterCursor);
      expect(afterCursor).toContain('evt0000a');
      expect(afterCursor).not.toContain('evt0058a');
    });

    it('refuses a cursor it did not issue', async () => {
      for (const cursor of [
        'bm9wZQ',
        'not a cursor',
        Buffer.from('12:').toString('base64url'),
        Buffer.from('x:evt1').toString('base64url'),
      ]) {
        await expect(store.list({ limit: 10, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      }
    });
  });
});
