import type { Kysely } from 'kysely';
import { type ArgumentOf, compileStatement } from '../compiled-statement';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { outboxMigrations } from './outbox-migrations';
import { clip, ms, toDeadOutboxMessage, toOutboxMessage, type OutboxRow } from './outbox-rows';
import type { DeadOutboxMessage, NewOutboxMessage, OutboxCounts, OutboxMessage, OutboxStore } from './outbox-store';
import type { OutboxTables } from './outbox-tables';

/** Rows per INSERT: well under both dialects' limits on bound parameters. */
const INSERT_CHUNK = 500;

/**
 * The most rows (enqueued) or seqs (removed, put off) a statement compiled
 * once takes: a paid call enqueues one or a few, and removes or puts off
 * what one pass read. A longer list is built when used, its cost shared by
 * that many messages.
 */
const COMPILED_ENQUEUE_ROWS = 16;
const COMPILED_SEQS = 64;

/**
 * Every column, by name: a prepared statement must not change its result's
 * shape when the table gains a column (see compiled-statement.ts).
 */
const COLUMNS = [
  'seq',
  'topic',
  'message_id',
  'payload',
  'state',
  'attempts',
  'last_error',
  'next_attempt_at',
  'created_at',
  'dead_at',
] as const satisfies readonly (keyof OutboxRow)[];

type Seq = `seq_${number}`;
type SeqArgs = { topic: string } & Record<Seq, bigint>;
type RowArgs = { topic: string; next_attempt_at: bigint; created_at: bigint } & Record<
  `message_id_${number}` | `payload_${number}`,
  string
>;

const seqArgs = (topic: string, seqs: readonly number[]): SeqArgs => {
  const args: Record<string, unknown> = { topic };
  seqs.forEach((seq, index) => (args[`seq_${index}`] = BigInt(seq)));
  return args as SeqArgs;
};

/**
 * Statements whose text depends on a list's length: each length up to `most`
 * built and compiled once, when first used; undefined past `most`.
 */
function bySize<S>(most: number, compile: (size: number) => S): (size: number) => S | undefined {
  const compiled = new Map<number, S>();
  return (size) => {
    if (size < 1 || size > most) return undefined;
    let statement = compiled.get(size);
    if (statement === undefined) {
      statement = compile(size);
      compiled.set(size, statement);
    }
    return statement;
  };
}

/** The statements every paid call and every delivery runs, built and compiled once for the store's dialect. */
function compileQueueStatements(database: Database<OutboxTables>) {
  const { db } = database;
  const seqPlaceholders = (arg: ArgumentOf<SeqArgs>, size: number) =>
    Array.from({ length: size }, (_, index) => arg(`seq_${index}` as const));
  return {
    /** enqueue: the same rows, columns and conflict rule as the chunked insert */
    insert: bySize(COMPILED_ENQUEUE_ROWS, (size) =>
      compileStatement(database, (arg: ArgumentOf<RowArgs>) =>
        db
          .insertInto('outbox_messages')
          .values(
            Array.from({ length: size }, (_, index) => ({
              topic: arg('topic'),
              message_id: arg(`message_id_${index}` as const),
              payload: arg(`payload_${index}` as const),
              state: 'pending',
              attempts: 0n,
              next_attempt_at: arg('next_attempt_at'),
              created_at: arg('created_at'),
            })),
          )
          .onConflict((oc) => oc.columns(['topic', 'message_id']).doNothing())
          .returning('seq'),
      ),
    ),
    due: compileStatement(database, (arg: ArgumentOf<{ topic: string; limit: number }>) =>
      db
        .selectFrom('outbox_messages')
        .select(COLUMNS)
        .where('topic', '=', arg('topic'))
        .where('state', '=', 'pending')
        .orderBy('seq', 'asc')
        .limit(arg('limit')),
    ),
    nextAttemptAt: compileStatement(database, (arg: ArgumentOf<{ topic: string }>) =>
      db
        .selectFrom('outbox_messages')
        .select('next_attempt_at')
        .where('topic', '=', arg('topic'))
        .where('state', '=', 'pending')
        .orderBy('seq', 'asc')
        .limit(1),
    ),
    remove: bySize(COMPILED_SEQS, (size) =>
      compileStatement(database, (arg: ArgumentOf<SeqArgs>) =>
        db.deleteFrom('outbox_messages').where('topic', '=', arg('topic')).where('seq', 'in', seqPlaceholders(arg, size)),
      ),
    ),
    recordFailure: bySize(COMPILED_SEQS, (size) =>
      compileStatement(database, (arg: ArgumentOf<SeqArgs & { last_error: string; next_attempt_at: bigint }>) =>
        db
          .updateTable('outbox_messages')
          .set((eb) => ({ attempts: eb('attempts', '+', 1n), last_error: arg('last_error'), next_attempt_at: arg('next_attempt_at') }))
          .where('topic', '=', arg('topic'))
          .where('state', '=', 'pending')
          .where('seq', 'in', seqPlaceholders(arg, size)),
      ),
    ),
  };
}

/** Opens (and migrates) an outbox on SQLite or PostgreSQL. */
export async function createOutboxStore(database: Database<OutboxTables>): Promise<OutboxStore> {
  await migrate(database.db as Kysely<unknown>, 'outbox', outboxMigrations(database.dialect));
  return new SqlOutboxStore(database);
}

class SqlOutboxStore implements OutboxStore {
  private readonly db: Kysely<OutboxTables>;
  // The hot statements, built and compiled once (see compiled-statement.ts); the rare ones are built when used.
  private readonly statements: ReturnType<typeof compileQueueStatements>;

  constructor(private readonly database: Database<OutboxTables>) {
    this.db = database.db;
    this.statements = compileQueueStatements(database);
  }

  async enqueue(topic: string, messages: readonly NewOutboxMessage[], now: Date, notBefore?: Date): Promise<{ added: number }> {
    if (messages.length === 0) return { added: 0 };
    const insert = this.statements.insert(messages.length);
    if (insert) {
      const args: Record<string, unknown> = { topic, next_attempt_at: ms(notBefore ?? now), created_at: ms(now) };
      messages.forEach((message, index) => {
        args[`message_id_${index}`] = message.id;
        args[`payload_${index}`] = message.payload;
      });
      // One statement, in a transaction all the same: exactly what the chunked path below does for one chunk.
      return this.db.transaction().execute(async (trx) => ({ added: (await insert.run(trx, args as RowArgs)).length }));
    }
    const rows = messages.map((message) => ({
      topic,
      message_id: message.id,
      payload: message.payload,
      state: 'pending',
      attempts: 0n,
      next_attempt_at: ms(notBefore ?? now),
      created_at: ms(now),
    }));
    return this.db.transaction().execute(async (trx) => {
      let added = 0;
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        const inserted = await trx
          .insertInto('outbox_messages')
          .values(rows.slice(start, start + INSERT_CHUNK))
          .onConflict((oc) => oc.columns(['topic', 'message_id']).doNothing())
          .returning('seq')
          .execute();
        added += inserted.length;
      }
      return { added };
    });
  }

  async due(topic: string, limit: number, now: Date): Promise<OutboxMessage[]> {
    const rows = await this.statements.due.run(this.db, { topic, limit });
    const dueBy = ms(now);
    const firstWaiting = rows.findIndex((row) => row.next_attempt_at > dueBy);
    return (firstWaiting === -1 ? rows : rows.slice(0, firstWaiting)).map(toOutboxMessage);
  }

  async nextAttemptAt(topic: string): Promise<Date | null> {
    const [head] = await this.statements.nextAttemptAt.run(this.db, { topic });
    return head ? new Date(Number(head.next_attempt_at)) : null;
  }

  async remove(topic: string, seqs: readonly number[]): Promise<number> {
    if (seqs.length === 0) return 0;
    const remove = this.statements.remove(seqs.length);
    if (remove) return remove.affected(this.db, seqArgs(topic, seqs));
    const result = await this.db
      .deleteFrom('outbox_messages')
      .where('topic', '=', topic)
      .where('seq', 'in', seqs.map(BigInt))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async recordFailure(topic: string, seqs: readonly number[], failure: { error: string; nextAttemptAt: Date }): Promise<void> {
    if (seqs.length === 0) return;
    const recordFailure = this.statements.recordFailure(seqs.length);
    if (recordFailure) {
      await recordFailure.run(this.db, {
        ...seqArgs(topic, seqs),
        last_error: clip(failure.error),
        next_attempt_at: ms(failure.nextAttemptAt),
      });
      return;
    }
    await this.db
      .updateTable('outbox_messages')
      .set((eb) => ({ attempts: eb('attempts', '+', 1n), last_error: clip(failure.error), next_attempt_at: ms(failure.nextAttemptAt) }))
      .where('topic', '=', topic)
      .where('state', '=', 'pending')
      .where('seq', 'in', seqs.map(BigInt))
      .execute();
  }

  async deadLetter(topic: string, seqs: readonly number[], reason: string, now: Date): Promise<void> {
    if (seqs.length === 0) return;
    await this.db
      .updateTable('outbox_messages')
      .set({ state: 'dead', last_error: clip(reason), dead_at: ms(now) })
      .where('topic', '=', topic)
      .where('state', '=', 'pending')
      .where('seq', 'in', seqs.map(BigInt))
      .execute();
  }

  async listDead(topic: string, limit: number): Promise<DeadOutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('topic', '=', topic)
      .where('state', '=', 'dead')
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toDeadOutboxMessage);
  }

  async counts(topic: string): Promise<OutboxCounts> {
    const rows = await this.db
      .selectFrom('outbox_messages')
      .select((eb) => ['state', eb.fn.countAll<bigint | string | number>().as('count')])
      .where('topic', '=', topic)
      .groupBy('state')
      .execute();
    const count = (state: string) => Number(rows.find((row) => row.state === state)?.count ?? 0);
    return { pending: count('pending'), dead: count('dead') };
  }

  ping(): Promise<void> {
    return this.database.ping();
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
