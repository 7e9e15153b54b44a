import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type OpenDatabaseOptions } from '../database';
import { compilesDuring, postgresStatementsDuring } from '../testing/statement-probes';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { NewOutboxMessage, OutboxStore } from './outbox-store';
import type { OutboxTables } from './outbox-tables';
import { createOutboxStore } from './sql-outbox-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const FAR = at(365 * 24 * 3_600_000);

const messages = (prefix: string, count: number): NewOutboxMessage[] =>
  Array.from({ length: count }, (_, index) => ({ id: `${prefix}-${index}`, payload: JSON.stringify({ prefix, index }) }));
const ids = (list: readonly { id: string }[]) => list.map((message) => message.id);

describe.each(['sqlite', 'postgres'] as const)('outbox store on %s', (dialect) => {
  let store: OutboxStore;
  let postgres: TemporaryPostgres | undefined;
  let location: OpenDatabaseOptions;

  const open = () => createOutboxStore(openDatabase<OutboxTables>(location));

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_outbox') : undefined;
    location = postgres
      ? { databaseUrl: postgres.url }
      : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-outbox-')), 'outbox.sqlite') };
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    await postgres?.drop();
  });

  it('hands messages back oldest first, across enqueues, at most the number asked for', async () => {
    await store.enqueue('logger', messages('a', 3), T0);
    await store.enqueue('logger', messages('b', 2), at(1));
    await store.enqueue('logger', messages('c', 4), at(2));

    const due = await store.due('logger', 6, at(3));

    expect(ids(due)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'c-0']);
    expect(due.map((message) => message.seq)).toEqual([...due.map((message) => message.seq)].sort((x, y) => x - y));
    expect(due[3]).toEqual({
      seq: expect.any(Number),
      topic: 'logger',
      id: 'b-0',
      payload: JSON.stringify({ prefix: 'b', index: 0 }),
      attempts: 0,
      lastError: null,
      nextAttemptAt: at(1),
      createdAt: at(1),
    });
    expect(await store.counts('logger')).toEqual({ pending: 9, dead: 0 });
  });

  it('keeps one message per id and topic: a second enqueue of it changes nothing', async () => {
    expect(await store.enqueue('logger', [{ id: 'ev-1', payload: 'first' }], T0)).toEqual({ added: 1 });
    expect(
      await store.enqueue(
        'logger',
        [
          { id: 'ev-1', payload: 'second' },
          { id: 'ev-2', payload: 'two' },
        ],
        at(1),
      ),
    ).toEqual({
      added: 1,
    });
    expect(
      await store.enqueue(
        'logger',
        [
          { id: 'ev-3', payload: 'x' },
          { id: 'ev-3', payload: 'y' },
        ],
        at(2),
      ),
    ).toEqual({ added: 1 });
    expect(await store.enqueue('archive', [{ id: 'ev-1', payload: 'elsewhere' }], at(3))).toEqual({ added: 1 });

    const due = await store.due('logger', 10, at(5));
    expect(due.map((message) => [message.id, message.payload])).toEqual([
      ['ev-1', 'first'],
      ['ev-2', 'two'],
      ['ev-3', 'x'],
    ]);
    expect(ids(await store.due('archive', 10, at(5)))).toEqual(['ev-1']);
  });

  it('keeps every message of 25 concurrent enqueues, each sender’s in its own order', async () => {
    const senders = Array.from({ length: 25 }, (_, sender) => messages(`s${sender}`, 8));
    const results = await Promise.all(senders.map((batch) => store.enqueue('logger', batch, T0)));

    expect(results.every((result) => result.added === 8)).toBe(true);
    const due = await store.due('logger', 500, at(1));
    expect(due).toHaveLength(200);
    expect(new Set(due.map((message) => message.seq)).size).toBe(200);
    for (const batch of senders) {
      const own = ids(due).filter((id) => id.startsWith(`${batch[0]?.id.split('-')[0]}-`));
      expect(own).toEqual(ids(batch));
    }
  });

  it('appends a large enqueue whole and in order', async () => {
    const many = messages('m', 1_234);
    expect(await store.enqueue('logger', many, T0)).toEqual({ added: 1_234 });
    const first = await store.due('logger', 500, at(1));
    await store.remove(
      'logger',
      first.map((message) => message.seq),
    );
    const next = await store.due('logger', 1_000, at(1));
    expect([...ids(first), ...ids(next)]).toEqual(ids(many));
  });

  it('removes delivered messages and only those', async () => {
    await store.enqueue('logger', messages('a', 4), T0);
    await store.enqueue('other', messages('a', 1), T0);
    const [first, second] = await store.due('logger', 2, at(1));
    if (!first || !second) throw new Error('expected two messages');

    expect(await store.remove('logger', [first.seq, second.seq])).toBe(2);
    expect(await store.remove('logger', [first.seq])).toBe(0);
    expect(ids(await store.due('logger', 10, at(1)))).toEqual(['a-2', 'a-3']);
    expect(await store.counts('other')).toEqual({ pending: 1, dead: 0 });
  });

  it('puts off a failed message, and the ones behind it wait too, until its next attempt', async () => {
    await store.enqueue('logger', messages('a', 3), T0);
    await store.enqueue('logger', messages('b', 2), at(10));
    const head = await store.due('logger', 3, at(20));

    await store.recordFailure(
      'logger',
      head.map((message) => message.seq),
      { error: 'logger unreachable', nextAttemptAt: at(1_000) },
    );

    expect(await store.due('logger', 10, at(999))).toEqual([]);
    expect(await store.nextAttemptAt('logger')).toEqual(at(1_000));
    const retried = await store.due('logger', 10, at(1_000));
    expect(ids(retried)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
    expect(retried[0]).toMatchObject({ attempts: 1, lastError: 'logger unreachable', nextAttemptAt: at(1_000) });
    expect(retried[3]).toMatchObject({ attempts: 0, lastError: null });

    await store.recordFailure('logger', [retried[0]?.seq ?? -1], { error: 'x'.repeat(5_000), nextAttemptAt: at(3_000) });
    const [again] = await store.due('logger', 1, at(3_000));
    expect(again?.attempts).toBe(2);
    expect(again?.lastError?.length).toBe(1_000);
  });

  it('hands back only the due part of a partly failed batch', async () => {
    await store.enqueue('logger', messages('a', 4), T0);
    const due = await store.due('logger', 4, at(1));
    await store.remove('logger', [due[0]?.seq ?? -1]);
    await store.recordFailure('logger', [due[2]?.seq ?? -1], { error: 'later', nextAttemptAt: at(500) });

    expect(ids(await store.due('logger', 4, at(2)))).toEqual(['a-1']);
    expect(ids(await store.due('logger', 4, FAR))).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('sets a dead message aside: kept and counted, never due, never enqueued again', async () => {
    await store.enqueue('logger', messages('a', 3), T0);
    const [, poison] = await store.due('logger', 3, at(1));
    if (!poison) throw new Error('expected a message');

    await store.deadLetter('logger', [poison.seq], 'EVENT_CONFLICT: another event has this id', at(2));
    expect(await store.enqueue('logger', [{ id: 'a-1', payload: 'again' }], at(3))).toEqual({ added: 0 });

    expect(ids(await store.due('logger', 10, at(4)))).toEqual(['a-0', 'a-2']);
    expect(await store.counts('logger')).toEqual({ pending: 2, dead: 1 });
    expect(await store.listDead('logger', 10)).toEqual([
      expect.objectContaining({ id: 'a-1', reason: 'EVENT_CONFLICT: another event has this id', deadAt: at(2), payload: poison.payload }),
    ]);
    await store.recordFailure('logger', [poison.seq], { error: 'no', nextAttemptAt: FAR });
    expect(await store.remove('logger', [])).toBe(0);
    expect(await store.listDead('logger', 10)).toEqual([
      expect.objectContaining({ attempts: 0, reason: 'EVENT_CONFLICT: another event has this id' }),
    ]);
  });

  it('keeps pending messages across a reopen and never reuses a sequence number', async () => {
    await store.enqueue('logger', messages('a', 3), T0);
    const before = await store.due('logger', 3, at(1));
    await store.remove('logger', [before[2]?.seq ?? -1]);
    await store.close();

    store = await open();
    expect(ids(await store.due('logger', 10, at(2)))).toEqual(['a-0', 'a-1']);
    await store.enqueue('logger', messages('b', 1), at(3));
    const after = await store.due('logger', 10, at(4));
    expect(ids(after)).toEqual(['a-0', 'a-1', 'b-0']);
    expect(after[2]?.seq).toBeGreaterThan(before[2]?.seq ?? Infinity);
    await store.ping();
  });

  /** What a paid call and the relays behind it do: enqueue one or a few, read a batch, put one off, remove the rest, look ahead. */
  const deliveryRound = async (prefix: string) => {
    await store.enqueue('settlements', messages(prefix, 1), T0);
    await store.enqueue('logger', messages(prefix, 3), T0, at(1));
    const batch = await store.due('logger', 10, at(2));
    const [first, ...rest] = batch.map((message) => message.seq);
    await store.recordFailure('logger', [first ?? 0], { error: 'down', nextAttemptAt: FAR });
    expect(await store.remove('logger', rest)).toBe(2);
    expect(await store.nextAttemptAt('logger')).toEqual(FAR);
    const [settlement] = await store.due('settlements', 50, at(2));
    expect(await store.remove('settlements', [settlement?.seq ?? 0])).toBe(1);
    expect(await store.due('settlements', 50, at(2))).toEqual([]);
    await store.remove('logger', [first ?? 0]);
  };

  it('builds and compiles nothing anew for an enqueue, a read, a retry or a removal once each has run', async () => {
    await deliveryRound('warm');
    expect(await compilesDuring(() => deliveryRound('hot'))).toBe(0);
  });

  if (dialect === 'postgres') {
    it('sends every statement of a delivery round as a named prepared statement', async () => {
      await deliveryRound('warm');
      const statements = await postgresStatementsDuring(() => deliveryRound('hot'));
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.filter((statement) => !statement.named)).toEqual([]);
    });
  }

  it('removes and puts off more messages than a compiled statement takes, and enqueues more rows than one takes', async () => {
    await store.enqueue('logger', messages('many', 70), T0);
    const batch = await store.due('logger', 100, T0);
    expect(ids(batch)).toEqual(ids(messages('many', 70)));
    const seqs = batch.map((message) => message.seq);
    await store.recordFailure('logger', seqs.slice(0, 65), { error: 'down', nextAttemptAt: at(5) });
    expect(await store.due('logger', 100, at(1))).toEqual([]);
    expect((await store.due('logger', 100, at(5)))[64]).toMatchObject({ attempts: 1, lastError: 'down' });
    expect((await store.due('logger', 100, at(5)))[65]).toMatchObject({ attempts: 0, lastError: null });
    expect(await store.remove('logger', seqs)).toBe(70);
    expect(await store.counts('logger')).toEqual({ pending: 0, dead: 0 });
  });
});
