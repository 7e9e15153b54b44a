import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../database';
import { InvalidCursorError } from '../payment/payment-store';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { DecisionLogRecord, LiveLogRecord, LogEventStore, StreamRecord, TransactionLogRecord } from './log-event-store';
import type { LoggerTables } from './logger-tables';
import { createLogEventStore, LIVE_EVENTS_CHANNEL } from './sql-log-event-store';

const T0 = new Date('2026-12-04T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

const decision = (id: string, agentId = 'user-agent'): DecisionLogRecord => ({
  id,
  kind: 'decision',
  occurredAt: T0,
  agentId,
  serviceId: 'IMAGE_GEN',
  action: 'ALLOWED',
  reason: 'WITHIN_POLICY',
  message: 'within policy',
  variant: 'standard',
  amount: 50_000n,
  decisionId: `dec_${id}`,
  reservationId: `res_${id}`,
});

const payment = (id: string, status: TransactionLogRecord['status']): TransactionLogRecord => ({
  id,
  kind: 'transaction',
  occurredAt: at(1),
  agentId: 'user-agent',
  serviceId: 'IMAGE_GEN',
  status,
  amount: 50_000n,
  paymentId: null,
  decisionId: null,
  txHash: null,
  reason: null,
  message: null,
});

const alert = (id: string, overrides: Partial<LiveLogRecord> = {}): LiveLogRecord => ({
  kind: 'alert',
  id,
  occurredAt: at(2),
  agentId: 'user-agent',
  serviceId: null,
  subtype: 'budget_threshold',
  document: { id, kind: 'alert', alertType: 'budget_threshold', thresholdPercent: 80, nested: { b: 1, a: 2 } },
  ...overrides,
});

const seqs = (records: StreamRecord[]) => records.map((record) => record.seq);

describe.each(['sqlite', 'postgres'] as const)('the live event stream on %s', (dialect) => {
  let store: LogEventStore;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_live') : undefined;
    const database = openDatabase<LoggerTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-live-')), 'logger.sqlite') },
    );
    store = await createLogEventStore(database);
  });
  afterEach(async () => {
    await store.close();
    await postgres?.drop();
  });

  it('streams every stored event once, in the order stored, typed decision, payment, refund or its live kind', async () => {
    expect(await store.lastSeq()).toBe(0n);
    await store.append([decision('d1'), payment('p1', 'SUCCESS')], T0, 'gateway');
    await store.append([payment('p1:R', 'REFUNDED'), alert('a1')], T0, 'payment');

    const all = await store.streamAfter(0n, {}, 100);
    expect(all.map((record) => [record.type, record.eventId])).toEqual([
      ['decision', 'd1'],
      ['payment', 'p1'],
      ['refund', 'p1:R'],
      ['alert', 'a1'],
    ]);
    expect(seqs(all)).toEqual([...seqs(all)].sort((a, b) => (a < b ? -1 : 1)));
    expect(await store.lastSeq()).toBe(all.at(-1)?.seq);
    expect(all[0]?.event).toMatchObject({ kind: 'decision', action: 'ALLOWED', amount: 50_000n });
    expect(all[3]?.event).toMatchObject({
      kind: 'alert',
      subtype: 'budget_threshold',
      document: { thresholdPercent: 80, nested: { a: 2, b: 1 } },
    });

    // Resuming after any seq gives exactly what follows it.
    const second = all[1]?.seq ?? 0n;
    expect((await store.streamAfter(second, {}, 100)).map((record) => record.eventId)).toEqual(['p1:R', 'a1']);
    expect((await store.streamAfter(second, {}, 1)).map((record) => record.eventId)).toEqual(['p1:R']);
  });

  it("filters by agent (an agent key's stream) and by type", async () => {
    await store.append(
      [decision('d1'), decision('d2', 'batch-agent'), alert('a1', { agentId: null, subtype: 'treasury_low' })],
      T0,
      'gateway',
    );
    expect((await store.streamAfter(0n, { agentId: 'batch-agent' }, 100)).map((record) => record.eventId)).toEqual(['d2']);
    expect((await store.streamAfter(0n, { types: ['alert'] }, 100)).map((record) => record.eventId)).toEqual(['a1']);
    expect(await store.streamAfter(0n, { types: [] }, 100)).toEqual([]);
  });

  it('stores an alert once: its sender telling it again with other figures is a duplicate, and the first one stands', async () => {
    expect(await store.append([alert('a1')], T0, 'policy')).toEqual({ outcome: 'stored', accepted: 1, duplicates: 0 });
    const retold = alert('a1', { document: { id: 'a1', thresholdPercent: 80, spent: '4.10' } });
    expect(await store.append([retold], at(9), 'policy')).toEqual({ outcome: 'stored', accepted: 0, duplicates: 1 });
    expect((await store.streamAfter(0n, {}, 10))[0]?.event).toMatchObject({ document: { nested: { a: 2, b: 1 } } });
    expect(await store.append([alert('a1', { document: { id: 'a1' } })], T0, 'payment')).toEqual({ outcome: 'foreign', ids: ['a1'] });
  });

  it('stores another live event once by id: the same document again is a duplicate (keys in any order), other content a conflict', async () => {
    const approval = (document: Record<string, unknown>): LiveLogRecord => ({
      ...alert('p1'),
      kind: 'approval',
      subtype: 'PENDING',
      document,
    });
    expect(await store.append([approval({ id: 'p1', status: 'PENDING', nested: { b: 1, a: 2 } })], T0, 'policy')).toMatchObject({
      accepted: 1,
    });
    const reordered = approval({ nested: { a: 2, b: 1 }, status: 'PENDING', id: 'p1' });
    expect(await store.append([reordered], at(5), 'policy')).toEqual({ outcome: 'stored', accepted: 0, duplicates: 1 });
    expect(await store.append([approval({ id: 'p1', status: 'DENIED' })], T0, 'policy')).toEqual({ outcome: 'conflict', ids: ['p1'] });
    expect(await store.append([approval({ id: 'p1', status: 'DENIED' })], T0, 'gateway')).toEqual({ outcome: 'foreign', ids: ['p1'] });
    // A refused batch stores nothing of itself.
    expect(await store.append([decision('d9'), approval({ id: 'p1' })], T0, 'policy')).toMatchObject({ outcome: 'conflict' });
    expect((await store.streamAfter(0n, {}, 100)).map((record) => record.eventId)).toEqual(['p1']);
  });

  it('lists one live kind newest first, filtered, in cursor pages', async () => {
    const alerts = Array.from({ length: 7 }, (_, index) =>
      alert(`a${index}`, { occurredAt: at(index * 1_000), subtype: index % 2 === 0 ? 'budget_threshold' : 'rejection_spike' }),
    );
    await store.append([...alerts, decision('d1')], T0, 'policy');
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listLive({ kind: 'alert', limit: 3, ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(['a6', 'a5', 'a4', 'a3', 'a2', 'a1', 'a0']);
    const spikes = await store.listLive({ kind: 'alert', subtype: 'rejection_spike', from: at(2_000), limit: 10 });
    expect(spikes.items.map((item) => item.id)).toEqual(['a5', 'a3']);
    await expect(store.listLive({ kind: 'alert', limit: 3, cursor: 'bogus' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  if (dialect === 'postgres') {
    it('notifies listeners of each append with its last seq, and concurrent appends never leave a reader a gap to fill later', async () => {
      const listener = new pg.Client({ connectionString: postgres?.url });
      await listener.connect();
      const notified: string[] = [];
      listener.on('notification', (message) => notified.push(message.payload ?? ''));
      await listener.query(`listen ${LIVE_EVENTS_CHANNEL}`);
      try {
        // Readers poll while 20 appends race; every read must be a prefix of the final order.
        const reads: bigint[][] = [];
        let appending = true;
        const reader = (async () => {
          while (appending) reads.push(seqs(await store.streamAfter(0n, {}, 1_000)));
        })();
        await Promise.all(Array.from({ length: 20 }, (_, index) => store.append([decision(`c${index}`)], T0, 'gateway')));
        appending = false;
        await reader;
        const final = seqs(await store.streamAfter(0n, {}, 1_000));
        expect(final).toHaveLength(20);
        for (const read of reads) expect(read).toEqual(final.slice(0, read.length));
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(notified).toHaveLength(20);
        expect(notified.map(BigInt).sort((a, b) => (a < b ? -1 : 1))).toEqual(final);
      } finally {
        await listener.end();
      }
    });
  }
});
