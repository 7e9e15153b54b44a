import { sql, type Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { auditLiveRow, streamTypeOf, toLiveRow, toStoredLiveEvent, type NewLiveEventRow } from './live-event-rows';
import { whereFilter } from './log-event-filters';
import { decodeCursor, encodeCursor, toRow, toStoredEvent } from './log-event-rows';
import { logEventHistory } from './log-event-history';
import { logEventStats } from './log-event-stats';
import {
  isLiveRecord,
  type AppendRecord,
  type LiveEventFilter,
  type LogEventHistory,
  type LogAppendOutcome,
  type LogEventFilter,
  type LogEventStats,
  type LogEventStore,
  type LogHistoryFilter,
  type LogStatsFilter,
  type StoredLiveEvent,
  type StoredLogEvent,
  type StreamFilter,
  type StreamRecord,
} from './log-event-store';
import { loggerMigrations } from './logger-migrations';
import type { LoggerTables } from './logger-tables';
import { NexusError } from '@nexus/types';

/** Opens (and migrates) the event log on SQLite or PostgreSQL. */
export async function createLogEventStore(database: Database<LoggerTables>): Promise<LogEventStore> {
  await migrate(database.db as Kysely<unknown>, 'logger', loggerMigrations(database.dialect));
  return new SqlLogEventStore(database);
}

/** Thrown inside an append's transaction to roll the whole batch back. */
class BatchConflict extends NexusError {
  override readonly name = 'BatchConflict';

  constructor(
    readonly outcome: 'conflict' | 'foreign',
    readonly ids: string[],
  ) {
    super(`events already stored ${outcome === 'foreign' ? 'by another sender' : 'with other content'}: ${ids.join(', ')}`);
  }
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byOccurrence = (a: NewLiveEventRow, b: NewLiveEventRow) =>
  a.occurred_at !== b.occurred_at
    ? a.occurred_at < b.occurred_at
      ? -1
      : 1
    : a.event_id < b.event_id
      ? -1
      : a.event_id > b.event_id
        ? 1
        : 0;

/** PostgreSQL: the advisory lock that serialises appends, and the channel each append notifies with its last seq. */
const LIVE_EVENTS_LOCK = 7_301_701;
export const LIVE_EVENTS_CHANNEL = 'nexus_live_events';

/**
 * The same event told again (by its sender, or by another that saw the same end) is a duplicate: nothing is
 * written. Other content under a stored id is refused: another sender's as `foreign`, one's own as `conflict`.
 */
function refuseDiffering(
  repeated: readonly { id: string; content_hash: string }[],
  stored: ReadonlyMap<string, { content_hash: string; sender: string }>,
  sender: string,
): void {
  const differs = repeated.filter((row) => stored.get(row.id)?.content_hash !== row.content_hash);
  const foreign = differs.filter((row) => stored.get(row.id)?.sender !== sender).map((row) => row.id);
  if (foreign.length > 0) throw new BatchConflict('foreign', foreign);
  if (differs.length > 0)
    throw new BatchConflict(
      'conflict',
      differs.map((row) => row.id),
    );
}

class SqlLogEventStore implements LogEventStore {
  private readonly db: Kysely<LoggerTables>;

  constructor(private readonly database: Database<LoggerTables>) {
    this.db = database.db;
  }

  async append(events: readonly AppendRecord[], now: Date, sender: string): Promise<LogAppendOutcome> {
    const auditRows = new Map<string, ReturnType<typeof toRow>>();
    const liveRows = new Map<string, NewLiveEventRow>();
    const clashing = new Set<string>();
    for (const event of events) {
      const row = isLiveRecord(event) ? toLiveRow(event, now, sender) : toRow(event, now, sender);
      const id = 'event_id' in row ? row.event_id : row.id;
      const first = auditRows.get(id) ?? liveRows.get(id);
      if (first) {
        if (first.content_hash !== row.content_hash) clashing.add(id);
        continue;
      }
      if ('event_id' in row) liveRows.set(id, row);
      else auditRows.set(id, row);
    }
    if (clashing.size > 0) return { outcome: 'conflict', ids: [...clashing].sort() };
    try {
      return await this.db.transaction().execute(async (trx) => {
        // One append at a time: a stream reader that has seen seq N has seen every smaller one (no gap to fill later).
        if (this.database.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${LIVE_EVENTS_LOCK})`.execute(trx);
        const newAudit = await this.insertAudit(trx, [...auditRows.values()].sort(byId), sender);
        const candidates = [...newAudit.map(auditLiveRow), ...liveRows.values()].sort(byOccurrence);
        const insertedLive =
          candidates.length === 0
            ? []
            : await trx
                .insertInto('live_events')
                .values(candidates)
                .onConflict((oc) => oc.column('event_id').doNothing())
                .returning(['event_id', 'seq'])
                .execute();
        const insertedIds = new Set(insertedLive.map((row) => row.event_id));
        await this.refuseDiffering(
          trx,
          [...liveRows.values()].filter((row) => !insertedIds.has(row.event_id)),
          sender,
        );
        const lastSeq = insertedLive.reduce((max, row) => (row.seq > max ? row.seq : max), 0n);
        if (lastSeq > 0n && this.database.dialect === 'postgres')
          await sql`select pg_notify(${LIVE_EVENTS_CHANNEL}, ${String(lastSeq)})`.execute(trx);
        const accepted = newAudit.length + [...liveRows.keys()].filter((id) => insertedIds.has(id)).length;
        return { outcome: 'stored', accepted, duplicates: events.length - accepted };
      });
    } catch (error: unknown) {
      if (error instanceof BatchConflict) return { outcome: error.outcome, ids: error.ids };
      throw error;
    }
  }

  /** Inserts the new decisions and payments' ends; returns those that were new. A repeated id must repeat its content. */
  private async insertAudit(
    trx: Kysely<LoggerTables>,
    rows: ReturnType<typeof toRow>[],
    sender: string,
  ): Promise<ReturnType<typeof toRow>[]> {
    if (rows.length === 0) return [];
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
      refuseDiffering(repeated, new Map(stored.map((row) => [row.id, row])), sender);
    }
    return rows.filter((row) => insertedIds.has(row.id));
  }

  /**
   * Live events already stored: the same content again is a duplicate, other content is refused. An alert
   * is the exception: its id says what it is about (this window's 80%), so its sender telling it again
   * with other figures (after a restart, from another replica) is the same alert: the first one stands.
   */
  private async refuseDiffering(trx: Kysely<LoggerTables>, repeated: NewLiveEventRow[], sender: string): Promise<void> {
    if (repeated.length === 0) return;
    const stored = await trx
      .selectFrom('live_events')
      .select(['event_id', 'content_hash', 'sender', 'kind'])
      .where(
        'event_id',
        'in',
        repeated.map((row) => row.event_id),
      )
      .execute();
    const sameAlert = new Set(stored.filter((row) => row.kind === 'alert' && row.sender === sender).map((row) => row.event_id));
    refuseDiffering(
      repeated.filter((row) => !sameAlert.has(row.event_id)).map((row) => ({ id: row.event_id, content_hash: row.content_hash })),
      new Map(stored.map((row) => [row.event_id, { content_hash: row.content_hash, sender: row.sender }])),
      sender,
    );
  }

  async streamAfter(afterSeq: bigint, filter: StreamFilter, limit: number): Promise<StreamRecord[]> {
    let query = this.db.selectFrom('live_events').selectAll().where('seq', '>', afterSeq);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.types !== undefined) query = query.where('type', 'in', filter.types.length > 0 ? [...filter.types] : ['']);
    const rows = await query.orderBy('seq', 'asc').limit(limit).execute();
    const auditIds = rows.filter((row) => row.body === null).map((row) => row.event_id);
    const audit =
      auditIds.length === 0
        ? new Map<string, StoredLogEvent>()
        : new Map(
            (await this.db.selectFrom('log_events').selectAll().where('id', 'in', auditIds).execute()).map((row) => [
              row.id,
              toStoredEvent(row),
            ]),
          );
    return rows.map((row) => {
      const event = row.body === null ? audit.get(row.event_id) : toStoredLiveEvent(row);
      if (!event) throw new Error(`event ${row.event_id} is in the stream but not in the log`);
      return {
        seq: row.seq,
        type: streamTypeOf(row),
        eventId: row.event_id,
        occurredAt: new Date(Number(row.occurred_at)),
        agentId: row.agent_id,
        serviceId: row.service_id,
        event,
      };
    });
  }

  async lastSeq(): Promise<bigint> {
    const row = await this.db
      .selectFrom('live_events')
      .select((eb) => eb.fn.max('seq').as('last'))
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? 0n : BigInt(row.last);
  }

  async listLive(filter: LiveEventFilter): Promise<{ items: StoredLiveEvent[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('live_events').selectAll().where('kind', '=', filter.kind);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.subtype !== undefined) query = query.where('subtype', '=', filter.subtype);
    if (filter.from !== undefined) query = query.where('occurred_at', '>=', BigInt(filter.from.getTime()));
    if (filter.to !== undefined) query = query.where('occurred_at', '<', BigInt(filter.to.getTime()));
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      query = query.where((eb) =>
        eb.or([
          eb('occurred_at', '<', after.occurredAt),
          eb.and([eb('occurred_at', '=', after.occurredAt), eb('event_id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('occurred_at', 'desc')
      .orderBy('event_id', 'desc')
      .limit(filter.limit + 1)
      .execute();
    const items = rows.slice(0, filter.limit).map(toStoredLiveEvent);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
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
