import type { Kysely, Migration } from 'kysely';

/** Portable DDL (SQLite and PostgreSQL). Append new migrations; never edit a shipped one. */
export const redemptionMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('redemptions')
        .addColumn('payment_id', 'text', (c) => c.primaryKey())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('tx_hash', 'text')
        .addColumn('payment_ref', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('redeemed_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('refund_tx_hash', 'text')
        .addColumn('refund_reason', 'text')
        .addColumn('ledger_synced', 'bigint', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('redemptions_unsynced').on('redemptions').columns(['ledger_synced', 'status']).execute();
    },
  },
};
