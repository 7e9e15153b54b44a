import { type ArgumentOf, compileStatement } from '../compiled-statement';
import type { Database } from '../database';
import type { PaymentRow } from './payment-rows';
import type { PaymentTables } from './payment-tables';

/**
 * Every column by name, not *: a prepared statement must not change its
 * result's shape when the table gains a column. Exactly the table's columns
 * (the compiler refuses one missing or one too many).
 */
export const PAYMENT_COLUMNS = Object.keys({
  id: 0,
  idempotency_key: 0,
  agent_id: 0,
  service_id: 0,
  payee: 0,
  amount: 0,
  decision_id: 0,
  reservation_id: 0,
  mode: 0,
  payment_ref: 0,
  status: 0,
  tx_hash: 0,
  tx_nonce: 0,
  raw_tx: 0,
  block_number: 0,
  gas_used: 0,
  failure_code: 0,
  failure_message: 0,
  refund_tx_hash: 0,
  refund_reason: 0,
  attempts: 0,
  lease_owner: 0,
  lease_until: 0,
  created_at: 0,
  updated_at: 0,
  settled_at: 0,
  refunded_at: 0,
  method: 0,
  payer: 0,
  authorization_nonce: 0,
  x402_payload: 0,
  served: 0,
} satisfies Record<keyof PaymentRow, 0>) as (keyof PaymentRow)[];

/** The columns a new payment is opened with (the rest take their defaults). */
export type NewRow = Pick<
  PaymentRow,
  | 'id'
  | 'idempotency_key'
  | 'agent_id'
  | 'service_id'
  | 'payee'
  | 'amount'
  | 'decision_id'
  | 'reservation_id'
  | 'mode'
  | 'payment_ref'
  | 'created_at'
>;

/** The statements of a paid call (open, lease, submit, settle or fail, read back), compiled once for the store's dialect. */
export type PaymentStatements = ReturnType<typeof compilePaymentStatements>;

export function compilePaymentStatements(database: Database<PaymentTables>) {
  const { db } = database;
  return {
    insert: compileStatement(database, (arg: ArgumentOf<NewRow>) =>
      db
        .insertInto('payments')
        .values({
          id: arg('id'),
          idempotency_key: arg('idempotency_key'),
          agent_id: arg('agent_id'),
          service_id: arg('service_id'),
          payee: arg('payee'),
          amount: arg('amount'),
          decision_id: arg('decision_id'),
          reservation_id: arg('reservation_id'),
          mode: arg('mode'),
          payment_ref: arg('payment_ref'),
          status: 'PENDING',
          attempts: 0n,
          created_at: arg('created_at'),
          updated_at: arg('created_at'),
        })
        .onConflict((oc) => oc.doNothing())
        .returning(PAYMENT_COLUMNS),
    ),
    byId: compileStatement(database, (arg: ArgumentOf<{ id: string }>) =>
      db.selectFrom('payments').select(PAYMENT_COLUMNS).where('id', '=', arg('id')),
    ),
    byIdempotencyKey: compileStatement(database, (arg: ArgumentOf<{ idempotency_key: string }>) =>
      db.selectFrom('payments').select(PAYMENT_COLUMNS).where('idempotency_key', '=', arg('idempotency_key')),
    ),
    byReservation: compileStatement(database, (arg: ArgumentOf<{ reservation_id: string }>) =>
      db.selectFrom('payments').select(PAYMENT_COLUMNS).where('reservation_id', '=', arg('reservation_id')),
    ),
    lease: compileStatement(database, (arg: ArgumentOf<{ id: string; owner: string; until: bigint; now: bigint }>) =>
      db
        .updateTable('payments')
        .set((eb) => ({
          lease_owner: arg('owner'),
          lease_until: arg('until'),
          attempts: eb('attempts', '+', 1n),
          updated_at: arg('now'),
        }))
        .where('id', '=', arg('id'))
        .where('status', '=', 'PENDING')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', arg('now')), eb('lease_owner', '=', arg('owner'))]))
        .returning(PAYMENT_COLUMNS),
    ),
    recordSubmission: compileStatement(
      database,
      (arg: ArgumentOf<{ id: string; owner: string; tx_hash: string; nonce: bigint; raw_tx: string; now: bigint }>) =>
        db
          .updateTable('payments')
          .set((eb) => ({
            tx_hash: arg('tx_hash'),
            // the highest nonce signed: once the treasury's mined nonce passes it, none of them can land any more
            tx_nonce: eb
              .case()
              .when('tx_nonce', 'is', null)
              .then(arg('nonce'))
              .when('tx_nonce', '<', arg('nonce'))
              .then(arg('nonce'))
              .else(eb.ref('tx_nonce'))
              .end(),
            raw_tx: arg('raw_tx'),
            updated_at: arg('now'),
          }))
          .where('id', '=', arg('id'))
          .where('status', '=', 'PENDING')
          .where('lease_owner', '=', arg('owner'))
          .returning('id'),
    ),
    markSettled: compileStatement(
      database,
      (
        arg: ArgumentOf<{
          id: string;
          status: string;
          tx_hash: string | null;
          block_number: bigint | null;
          gas_used: bigint | null;
          now: bigint;
        }>,
      ) =>
        db
          .updateTable('payments')
          .set({
            status: arg('status'),
            tx_hash: arg('tx_hash'),
            block_number: arg('block_number'),
            gas_used: arg('gas_used'),
            failure_code: null,
            failure_message: null,
            lease_owner: null,
            lease_until: null,
            settled_at: arg('now'),
            updated_at: arg('now'),
          })
          .where('id', '=', arg('id'))
          .where('status', '=', 'PENDING'),
    ),
    markFailed: compileStatement(database, (arg: ArgumentOf<{ id: string; code: string; message: string; now: bigint }>) =>
      db
        .updateTable('payments')
        .set({
          status: 'FAILED',
          failure_code: arg('code'),
          failure_message: arg('message'),
          lease_owner: null,
          lease_until: null,
          settled_at: arg('now'),
          updated_at: arg('now'),
        })
        .where('id', '=', arg('id'))
        .where('status', '=', 'PENDING'),
    ),
  };
}
