import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database';

/** Portable DDL (SQLite and PostgreSQL, told apart where they differ). Append new migrations; never edit a shipped one. */
export const loggerMigrations = (dialect: Dialect): Record<string, Migration> => ({
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('log_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('decision', 'transaction')`))
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('status', 'text')
        .addColumn('reason', 'text')
        .addColumn('message', 'text')
        .addColumn('variant', 'text')
        .addColumn('amount', 'bigint', (c) => c.check(sql`amount >= 0`))
        .addColumn('decision_id', 'text')
        .addColumn('reservation_id', 'text')
        .addColumn('payment_id', 'text')
        .addColumn('tx_hash', 'text')
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .execute();
      // Every list is newest first on (occurred_at, id); the common filters lead their own index.
      await db.schema.createIndex('log_events_newest').on('log_events').columns(['occurred_at', 'id']).execute();
      await db.schema.createIndex('log_events_agent').on('log_events').columns(['agent_id', 'occurred_at', 'id']).execute();
      await db.schema.createIndex('log_events_service').on('log_events').columns(['service_id', 'occurred_at', 'id']).execute();
      await db.schema.createIndex('log_events_kind').on('log_events').columns(['kind', 'occurred_at', 'id']).execute();
    },
  },
  '0002_sender': {
    async up(db: Kysely<unknown>) {
      // Events stored before senders were told apart came from the gateway, the only sender then.
      await db.schema
        .alterTable('log_events')
        .addColumn('sender', 'text', (c) => c.notNull().defaultTo('gateway'))
        .execute();
    },
  },
  '0003_live_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('live_events')
        .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('service_id', 'text')
        .addColumn('subtype', 'text')
        .addColumn('body', 'text')
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('live_events_agent').on('live_events').columns(['agent_id', 'seq']).execute();
      await db.schema.createIndex('live_events_kind').on('live_events').columns(['kind', 'occurred_at', 'seq']).execute();
      // What the log held before the stream existed joins it first, in the order it was stored.
      await sql`
        insert into live_events (event_id, type, kind, occurred_at, recorded_at, agent_id, service_id, content_hash, sender)
        select id, case when kind = 'decision' then 'decision' when status = 'REFUNDED' then 'refund' else 'payment' end,
               kind, occurred_at, recorded_at, agent_id, service_id, content_hash, sender
        from log_events order by recorded_at, id`.execute(db);
    },
  },
});
