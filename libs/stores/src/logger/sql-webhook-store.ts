import type { Kysely, Selectable } from 'kysely';
import { StreamEventType } from '@nexus/types';
import type { Database } from '../database';
import { decodeKeysetCursor, encodeKeysetCursor } from '../keyset-cursor';
import { migrate } from '../migrations';
import { loggerMigrations } from './logger-migrations';
import type { LoggerTables } from './logger-tables';
import type {
  AttemptRecord,
  DeliveryFilter,
  DeliveryRecord,
  DeliveryStatus,
  DueDelivery,
  NewDelivery,
  WebhookRecord,
  WebhookStore,
} from './webhook-store';

/** Opens (and migrates) the webhook tables of the logger's database. The logger's event store owns closing it. */
export async function createWebhookStore(database: Database<LoggerTables>): Promise<WebhookStore> {
  await migrate(database.db as Kysely<unknown>, 'logger', loggerMigrations(database.dialect));
  return new SqlWebhookStore(database.db);
}

const DISPATCHER = 'webhooks';
const WAITING: DeliveryStatus[] = ['PENDING', 'FAILED'];
const MESSAGE_ID = /msg_[A-Za-z0-9_-]{1,100}/;

const toDate = (ms: bigint | null) => (ms === null ? null : new Date(Number(ms)));
const toNumber = (value: bigint | null) => (value === null ? null : Number(value));

function toWebhook(row: Selectable<LoggerTables['webhooks']>): WebhookRecord {
  return {
    id: row.id,
    url: row.url,
    // a type a later version dropped is skipped rather than failing the whole list
    events: row.events.split(',').flatMap((type) => {
      const parsed = StreamEventType.safeParse(type);
      return parsed.success ? [parsed.data] : [];
    }),
    description: row.description,
    secret: row.secret,
    afterSeq: row.after_seq,
    createdAt: new Date(Number(row.created_at)),
    deletedAt: toDate(row.deleted_at),
  };
}

function toDelivery(row: Selectable<LoggerTables['webhook_deliveries']>): DeliveryRecord {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventSeq: row.event_seq,
    eventType: row.event_type,
    payload: row.payload,
    createdAt: new Date(Number(row.created_at)),
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    lastStatus: toNumber(row.last_status),
    latencyMs: toNumber(row.latency_ms),
    lastError: row.last_error,
    nextAttemptAt: toDate(row.next_attempt_at),
    deliveredAt: toDate(row.delivered_at),
  };
}

const deliveryRow = (delivery: NewDelivery) => ({
  id: delivery.id,
  webhook_id: delivery.webhookId,
  event_seq: delivery.eventSeq,
  event_type: delivery.eventType,
  payload: delivery.payload,
  status: 'PENDING',
  attempts: 0n,
  created_at: BigInt(delivery.createdAt.getTime()),
  next_attempt_at: BigInt(delivery.createdAt.getTime()),
});

class SqlWebhookStore implements WebhookStore {
  constructor(private readonly db: Kysely<LoggerTables>) {}

  async createWebhook(webhook: WebhookRecord): Promise<void> {
    await this.db
      .insertInto('webhooks')
      .values({
        id: webhook.id,
        url: webhook.url,
        events: webhook.events.join(','),
        description: webhook.description,
        secret: webhook.secret,
        after_seq: webhook.afterSeq,
        created_at: BigInt(webhook.createdAt.getTime()),
        deleted_at: webhook.deletedAt && BigInt(webhook.deletedAt.getTime()),
      })
      .execute();
  }

  async getWebhook(id: string): Promise<WebhookRecord | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toWebhook(row);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toWebhook);
  }

  deleteWebhook(id: string, now: Date): Promise<boolean> {
    const at = BigInt(now.getTime());
    return this.db.transaction().execute(async (trx) => {
      const deleted = await trx
        .updateTable('webhooks')
        .set({ deleted_at: at })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (deleted.numUpdatedRows === 0n) return false;
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'DEAD', next_attempt_at: null, last_error: 'the webhook was deleted' })
        .where('webhook_id', '=', id)
        .where('status', 'in', WAITING)
        .execute();
      return true;
    });
  }

  async dispatchCursor(): Promise<bigint | null> {
    const row = await this.db.selectFrom('webhook_dispatch').select('seq').where('name', '=', DISPATCHER).executeTakeFirst();
    return row?.seq ?? null;
  }

  async startDispatchCursor(seq: bigint): Promise<void> {
    await this.db
      .insertInto('webhook_dispatch')
      .values({ name: DISPATCHER, seq })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  enqueue(deliveries: readonly NewDelivery[], cursor: { from: bigint; to: bigint }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // The cursor moves only from where this dispatcher read it: a replica that got there first wins, the other writes nothing.
      const moved = await trx
        .updateTable('webhook_dispatch')
        .set({ seq: cursor.to })
        .where('name', '=', DISPATCHER)
        .where('seq', '=', cursor.from)
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return false;
      if (deliveries.length > 0)
        await trx
          .insertInto('webhook_deliveries')
          .values(deliveries.map(deliveryRow))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      return true;
    });
  }

  async addDelivery(delivery: NewDelivery): Promise<void> {
    await this.db.insertInto('webhook_deliveries').values(deliveryRow(delivery)).execute();
  }

  async claimDue(now: Date, leaseMs: number, limit: number, onlyId?: string): Promise<DueDelivery[]> {
    const at = BigInt(now.getTime());
    let candidates = this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .selectAll('d')
      .select(['w.url', 'w.secret'])
      .where('w.deleted_at', 'is', null)
      .where('d.status', 'in', WAITING);
    candidates = onlyId ? candidates.where('d.id', '=', onlyId) : candidates.where('d.next_attempt_at', '<=', at);
    const rows = await candidates.orderBy('d.next_attempt_at').orderBy('d.event_seq').orderBy('d.id').limit(limit).execute();
    const claimed: DueDelivery[] = [];
    for (const row of rows) {
      // Taken only if nobody moved it since it was read: the lease is its next attempt time, pushed past this one.
      let take = this.db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: at + BigInt(leaseMs) })
        .where('id', '=', row.id)
        .where('status', 'in', WAITING);
      take =
        row.next_attempt_at === null ? take.where('next_attempt_at', 'is', null) : take.where('next_attempt_at', '=', row.next_attempt_at);
      const result = await take.executeTakeFirst();
      if (result.numUpdatedRows === 1n)
        claimed.push({ ...toDelivery({ ...row, next_attempt_at: at + BigInt(leaseMs) }), url: row.url, secret: row.secret });
    }
    return claimed;
  }

  async recordAttempt(id: string, attempt: AttemptRecord): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: attempt.status,
        attempts: eb('attempts', '+', 1n),
        last_status: attempt.httpStatus === null ? null : BigInt(attempt.httpStatus),
        latency_ms: BigInt(Math.round(attempt.latencyMs)),
        last_error: attempt.error,
        next_attempt_at: attempt.nextAttemptAt && BigInt(attempt.nextAttemptAt.getTime()),
        delivered_at: attempt.status === 'DELIVERED' ? BigInt(attempt.at.getTime()) : null,
      }))
      .where('id', '=', id)
      // a delivery ended meanwhile (its webhook deleted) stays ended
      .where('status', 'in', WAITING)
      .execute();
  }

  async getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDelivery(row);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<{ items: DeliveryRecord[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', filter.webhookId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.cursor) {
      const after = decodeKeysetCursor(filter.cursor, MESSAGE_ID);
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)])]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1)
      .execute();
    const items = rows.slice(0, filter.limit).map(toDelivery);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > filter.limit && last ? encodeKeysetCursor(last.createdAt, last.id) : null };
  }
}
