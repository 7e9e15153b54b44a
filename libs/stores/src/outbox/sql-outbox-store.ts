import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { outboxMigrations } from './outbox-migrations';
import { clip, ms, toDeadOutboxMessage, toOutboxMessage } from './outbox-rows';
import type { DeadOutboxMessage, NewOutboxMessage, OutboxCounts, OutboxMessage, OutboxStore } from './outbox-store';
import type { OutboxTables } from './outbox-tables';

/** Rows per INSERT: well under both dialects' limits on bound parameters. */
const INSERT_CHUNK = 500;

/** Opens (and migrates) an outbox on SQLite or PostgreSQL. */
export async function createOutboxStore(database: Database<OutboxTables>): Promise<OutboxStore> {
  await migrate(database.db as Kysely<unknown>, 'outbox', outboxMigrations(database.dialect));
  return new SqlOutboxStore(database);
}

class SqlOutboxStore implements OutboxStore {
  private readonly db: Kysely<OutboxTables>;

  constructor(private readonly database: Database<OutboxTables>) {
    this.db = database.db;
  }

  async enqueue(topic: string, messages: readonly NewOutboxMessage[], now: Date, notBefore?: Date): Promise<{ added: number }> {
    if (messages.length === 0) return { added: 0 };
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
    const rows = await this.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('topic', '=', topic)
      .where('state', '=', 'pending')
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    const dueBy = ms(now);
    const firstWaiting = rows.findIndex((row) => row.next_attempt_at > dueBy);
    return (firstWaiting === -1 ? rows : rows.slice(0, firstWaiting)).map(toOutboxMessage);
  }

  async nextAttemptAt(topic: string): Promise<Date | null> {
    const head = await this.db
      .selectFrom('outbox_messages')
      .select('next_attempt_at')
      .where('topic', '=', topic)
      .where('state', '=', 'pending')
      .orderBy('seq', 'asc')
      .limit(1)
      .executeTakeFirst();
    return head ? new Date(Number(head.next_attempt_at)) : null;
  }

  async remove(topic: string, seqs: readonly number[]): Promise<number> {
    if (seqs.length === 0) return 0;
    const result = await this.db
      .deleteFrom('outbox_messages')
      .where('topic', '=', topic)
      .where('seq', 'in', seqs.map(BigInt))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async recordFailure(topic: string, seqs: readonly number[], failure: { error: string; nextAttemptAt: Date }): Promise<void> {
    if (seqs.length === 0) return;
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
