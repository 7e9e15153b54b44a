import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { whereFilter } from './log-event-filters';
import { decodeCursor, encodeCursor, toRow, toStoredEvent } from './log-event-rows';
import { logEventHistory } from './log-event-history';
import { logEventStats } from './log-event-stats';
import type {
  LogEventHistory,
  LogHistoryFilter,
  LogAppendOutcome,
  LogEventFilter,
  LogEventRecord,
  LogEventStats,
  LogEventStore,
  LogStatsFilter,
  StoredLogEvent,
} from './log-event-store';
import { loggerMigrations } from './logger-migrations';
import type { LoggerTables } from './logger-tables';

/** Opens (and migrates) the event log on SQLite or PostgreSQL. */
export async function createLogEventStore(database: Database<LoggerTables>): Promise<LogEventStore> {
  await migrate(database.db as Kysely<unknown>, 'logger', loggerMigrations);
  return new SqlLogEventStore(database);
}

/** Thrown inside an append's transaction to roll the whole batch back. */
class BatchConflict extends Error {
  override readonly name = 'BatchConflict';

  constructor(
    readonly outcome: 'conflict' | 'foreign',
    readonly ids: string[],
  ) {
    super(`events already stored ${outcome === 'foreign' ? 'by another sender' : 'with other content'}: ${ids.join(', ')}`);
  }
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

class SqlLogEventStore implements LogEventStore {
  private readonly db: Kysely<LoggerTables>;

  constructor(private readonly database: Database<LoggerTables>) {
    this.db = database.db;
  }

  async append(events: readonly LogEventRecord[], now: Date, sender: string): Promise<LogAppendOutcome> {
    const unique = new Map<string, ReturnType<typeof toRow>>();
    const clashing = new Set<string>();
    for (const row of events.map((event) => toRow(event, now, sender))) {
      const first = unique.get(row.id);
      if (!first) unique.set(row.id, row);
      else if (first.content_hash !== row.content_hash) clashing.add(row.id);
    }
    if (clashing.size > 0) return { outcome: 'conflict', ids: [...clashing].sort() };
    // Inserted in id order, so two batches sharing ids wait on each other instead of deadlocking (PostgreSQL).
    const rows = [...unique.values()].sort(byId);
    try {
      return await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('log_events')
          .values(rows)
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .execute();
        const insertedIds = new Set(inserted.map((row) => row.id));
        const repeated = rows.filter((row) => !insertedIds.has(row.id));
        if (repeated.length > 0) {
          const stored = await trx
            .selectFrom('log_events')
            .select(['id', 'content_hash', 'sender'])
            .where(
              'id',
              'in',
              repeated.map((row) => row.id),
            )
            .execute();
          const storedById = new Map(stored.map((row) => [row.id, row]));
          // The same event told again (by its sender, or by another that saw the same end) is a duplicate: nothing is
          // written. Other content under a stored id is refused: another sender's as `foreign`, one's own as `conflict`.
          const differs = repeated.filter((row) => storedById.get(row.id)?.content_hash !== row.content_hash);
          const foreign = differs.filter((row) => storedById.get(row.id)?.sender !== sender).map((row) => row.id);
          if (foreign.length > 0) throw new BatchConflict('foreign', foreign);
          if (differs.length > 0)
            throw new BatchConflict(
              'conflict',
              differs.map((row) => row.id),
            );
        }
        return { outcome: 'stored', accepted: inserted.length, duplicates: events.length - inserted.length };
      });
    } catch (error: unknown) {
      if (error instanceof BatchConflict) return { outcome: error.outcome, ids: error.ids };
      throw error;
    }
  }

  async get(id: string): Promise<StoredLogEvent | undefined> {
    const row = await this.db.selectFrom('log_events').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStoredEvent(row);
  }

  async list(filter: LogEventFilter): Promise<{ items: StoredLogEvent[]; nextCursor: string | null }> {
    let query = whereFilter(this.db.selectFrom('log_events').selectAll(), filter);
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      query = query.where((eb) =>
        eb.or([eb('occurred_at', '<', after.occurredAt), eb.and([eb('occurred_at', '=', after.occurredAt), eb('id', '<', after.id)])]),
      );
    }
    const rows = await query
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1)
      .execute();
    const items = rows.slice(0, filter.limit).map(toStoredEvent);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
  }

  stats(filter: LogStatsFilter): Promise<LogEventStats> {
    return logEventStats(this.db, filter);
  }

  history(filter: LogHistoryFilter): Promise<LogEventHistory> {
    return logEventHistory(this.db, filter);
  }

  ping(): Promise<void> {
    return this.database.ping();
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
