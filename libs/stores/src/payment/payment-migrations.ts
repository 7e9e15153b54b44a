import { sql, type Kysely, type Migration } from 'kysely';

/** Portable DDL (SQLite and PostgreSQL). Append new migrations; never edit a shipped one. */
export const paymentMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('payments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('payee', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
        .addColumn('decision_id', 'text', (c) => c.notNull())
        .addColumn('reservation_id', 'text')
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('payment_ref', 'text', (c) => c.unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('tx_hash', 'text')
        .addColumn('block_number', 'bigint')
        .addColumn('gas_used', 'bigint')
        .addColumn('failure_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('refund_tx_hash', 'text')
        .addColumn('refund_reason', 'text')
        .addColumn('attempts', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('settled_at', 'bigint')
        .addColumn('refunded_at', 'bigint')
        .execute();
      await db.schema.createIndex('payments_tx_hash').on('payments').column('tx_hash').execute();
      await db.schema.createIndex('payments_newest').on('payments').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('payments_status').on('payments').columns(['status', 'updated_at']).execute();
    },
  },
  '0002_reservation_paid_once': {
    /** A reservation is paid once (docs/architecture.md §2): a second idempotency key for the same hold cannot open a second payment. */
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('payments_reservation').on('payments').column('reservation_id').unique().execute();
    },
  },
  '0003_submitted_transaction': {
    async up(db: Kysely<unknown>) {
      // The nonce (the highest one signed) and the raw signed transaction of the last submission: they tell the
      // pending driver whether a PENDING payment can still land, and let it send the transaction again.
      await db.schema.alterTable('payments').addColumn('tx_nonce', 'bigint').execute();
      await db.schema.alterTable('payments').addColumn('raw_tx', 'text').execute();
    },
  },
  '0004_x402_payments': {
    /**
     * A payment a third party made through the x402 facilitator (docs/x402.md, "The facilitator"): no agent,
     * no decision. `method` tells it from a grant's payment; the payer and its ERC-3009 authorization nonce
     * name it, once: a second settle of the same authorization finds this row.
     */
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('payments')
        .addColumn('method', 'text', (c) => c.notNull().defaultTo('grant'))
        .execute();
      await db.schema.alterTable('payments').addColumn('payer', 'text').execute();
      await db.schema.alterTable('payments').addColumn('authorization_nonce', 'text').execute();
      await db.schema
        .createIndex('payments_x402_authorization')
        .on('payments')
        .columns(['payer', 'authorization_nonce'])
        .unique()
        .execute();
    },
  },
  '0005_x402_out_payments': {
    /**
     * An agent's payment to an external x402 service (docs/x402.md, "Paying x402 APIs"): the treasury signs an
     * ERC-3009 authorization the service settles. The signed PaymentPayload (JSON) is kept so a retry gets the
     * very same authorization and the chain can be asked about its nonce; `served` is what the gateway reported
     * (1 served, 0 not, null not yet told).
     */
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('payments').addColumn('x402_payload', 'text').execute();
      await db.schema.alterTable('payments').addColumn('served', 'bigint').execute();
    },
  },
};
