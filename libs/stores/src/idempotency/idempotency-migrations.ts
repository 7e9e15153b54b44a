import { sql, type Kysely, type Migration } from 'kysely';

/** Portable DDL (SQLite and PostgreSQL). Append new migrations; never edit a shipped one. */
export const idempotencyMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('IN_FLIGHT', 'DONE')`))
        .addColumn('status', 'bigint')
        .addColumn('body', 'text')
        .addColumn('locked_until', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pkey', ['scope', 'key'])
        // a DONE key always has the answer to give back
        .addCheckConstraint('idempotency_keys_done_answered', sql`state <> 'DONE' OR (status IS NOT NULL AND body IS NOT NULL)`)
        .execute();
      await db.schema.createIndex('idempotency_keys_purge').on('idempotency_keys').columns(['state', 'updated_at']).execute();
    },
  },
};
