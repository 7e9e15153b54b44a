import { sql, type Kysely, type Migration } from 'kysely';

/** Portable DDL (SQLite and PostgreSQL). Append new migrations; never edit a shipped one. */
export const archiveMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('archives')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().unique())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('line_count', 'bigint', (c) => c.notNull().check(sql`line_count >= 0`))
        .addColumn('stored_bytes', 'bigint', (c) => c.notNull().check(sql`stored_bytes >= 0`))
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
