import type { Kysely, Selectable } from 'kysely';
import { type ArgumentOf, compileStatement } from '../compiled-statement';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { redemptionMigrations } from './redemption-migrations';
import {
  REDEMPTION_STATUSES,
  type NewRedemption,
  type Redemption,
  type RedemptionStatus,
  type RedemptionStore,
  type RefundRecord,
} from './redemption-store';
import type { RedemptionTables } from './redemption-tables';

type Row = Selectable<RedemptionTables['redemptions']>;

const ms = (date: Date) => BigInt(date.getTime());

function statusOf(value: string): RedemptionStatus {
  const status = REDEMPTION_STATUSES.find((candidate) => candidate === value);
  if (!status) throw new Error(`unknown redemption status in the store: ${value}`);
  return status;
}

function toRedemption(row: Row): Redemption {
  return {
    paymentId: row.payment_id,
    serviceId: row.service_id,
    variant: row.variant,
    amount: row.amount,
    txHash: row.tx_hash,
    paymentRef: row.payment_ref,
    status: statusOf(row.status),
    requestId: row.request_id,
    redeemedAt: new Date(Number(row.redeemed_at)),
    finishedAt: row.finished_at === null ? null : new Date(Number(row.finished_at)),
    refund: row.refund_reason === null ? null : { txHash: row.refund_tx_hash, reason: row.refund_reason },
    ledgerSynced: row.ledger_synced === 1n,
  };
}

/**
 * Every column by name, not *: a prepared statement must not change its
 * result's shape when the table gains a column. Exactly the table's columns
 * (the compiler refuses one missing or one too many).
 */
const REDEMPTION_COLUMNS = Object.keys({
  payment_id: 0,
  service_id: 0,
  variant: 0,
  amount: 0,
  tx_hash: 0,
  payment_ref: 0,
  status: 0,
  request_id: 0,
  redeemed_at: 0,
  finished_at: 0,
  refund_tx_hash: 0,
  refund_reason: 0,
  ledger_synced: 0,
} satisfies Record<keyof Row, 0>) as (keyof Row)[];

type NewRow = Pick<Row, 'payment_id' | 'service_id' | 'variant' | 'amount' | 'tx_hash' | 'payment_ref' | 'request_id' | 'redeemed_at'>;

/** The statements of a paid call (look up, redeem, mark served), compiled once for the store's dialect. */
function compileRedemptionStatements(database: Database<RedemptionTables>) {
  const { db } = database;
  return {
    /** A proof already redeemed inserts nothing and returns no row. */
    insert: compileStatement(database, (arg: ArgumentOf<NewRow>) =>
      db
        .insertInto('redemptions')
        .values({
          payment_id: arg('payment_id'),
          service_id: arg('service_id'),
          variant: arg('variant'),
          amount: arg('amount'),
          tx_hash: arg('tx_hash'),
          payment_ref: arg('payment_ref'),
          status: 'REDEEMED',
          request_id: arg('request_id'),
          redeemed_at: arg('redeemed_at'),
          ledger_synced: 1n,
        })
        .onConflict((oc) => oc.column('payment_id').doNothing())
        .returning(REDEMPTION_COLUMNS),
    ),
    get: compileStatement(database, (arg: ArgumentOf<{ payment_id: string }>) =>
      db.selectFrom('redemptions').select(REDEMPTION_COLUMNS).where('payment_id', '=', arg('payment_id')),
    ),
    markServed: compileStatement(database, (arg: ArgumentOf<{ payment_id: string; finished_at: bigint }>) =>
      db
        .updateTable('redemptions')
        .set({ status: 'SERVED', finished_at: arg('finished_at') })
        .where('payment_id', '=', arg('payment_id'))
        .where('status', '=', 'REDEEMED'),
    ),
  };
}

/**
 * Opens (and migrates) a provider's redemptions on its database. The store
 * does not own the database: whoever opened it closes it.
 */
export async function createRedemptionStore(database: Database<RedemptionTables>): Promise<RedemptionStore> {
  await migrate(database.db as Kysely<unknown>, 'redemption', redemptionMigrations);
  return new SqlRedemptionStore(database);
}

class SqlRedemptionStore implements RedemptionStore {
  private readonly db: Kysely<RedemptionTables>;
  /** A paid call's statements, built and compiled once (../compiled-statement.ts). */
  private readonly statements: ReturnType<typeof compileRedemptionStatements>;

  constructor(database: Database<RedemptionTables>) {
    this.db = database.db;
    this.statements = compileRedemptionStatements(database);
  }

  async redeem(redemption: NewRedemption, now: Date) {
    const [inserted] = await this.statements.insert.run(this.db, {
      payment_id: redemption.paymentId,
      service_id: redemption.serviceId,
      variant: redemption.variant,
      amount: redemption.amount,
      tx_hash: redemption.txHash?.toLowerCase() ?? null,
      payment_ref: redemption.paymentRef,
      request_id: redemption.requestId,
      redeemed_at: ms(now),
    });
    if (inserted) return { redeemed: true as const, redemption: toRedemption(inserted) };
    const existing = await this.get(redemption.paymentId);
    if (!existing) throw new Error(`redemption of ${redemption.paymentId} conflicted but cannot be read`);
    return { redeemed: false as const, existing };
  }

  async get(paymentId: string): Promise<Redemption | undefined> {
    const [row] = await this.statements.get.run(this.db, { payment_id: paymentId });
    return row && toRedemption(row);
  }

  async markServed(paymentId: string, now: Date): Promise<void> {
    await this.statements.markServed.run(this.db, { payment_id: paymentId, finished_at: ms(now) });
  }

  async markRefund(paymentId: string, refund: RefundRecord, now: Date): Promise<Redemption | undefined> {
    const row = await this.db
      .updateTable('redemptions')
      .set({
        status: refund.status,
        finished_at: ms(now),
        refund_tx_hash: refund.txHash?.toLowerCase() ?? null,
        refund_reason: refund.reason,
        ledger_synced: refund.ledgerSynced ? 1n : 0n,
      })
      .where('payment_id', '=', paymentId)
      .where('status', 'in', ['REDEEMED', 'REFUND_FAILED'])
      .returningAll()
      .executeTakeFirst();
    return row && toRedemption(row);
  }

  async unsyncedRefunds(limit: number): Promise<Redemption[]> {
    const rows = await this.db
      .selectFrom('redemptions')
      .selectAll()
      .where('ledger_synced', '=', 0n)
      .where('status', '=', 'REFUNDED')
      .orderBy('finished_at')
      .limit(limit)
      .execute();
    return rows.map(toRedemption);
  }

  async markLedgerSynced(paymentId: string): Promise<void> {
    await this.db.updateTable('redemptions').set({ ledger_synced: 1n }).where('payment_id', '=', paymentId).execute();
  }

  async counts(): Promise<Record<RedemptionStatus, number>> {
    const rows = await this.db
      .selectFrom('redemptions')
      .select((eb) => ['status', eb.fn.countAll<bigint>().as('count')])
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(REDEMPTION_STATUSES.map((status) => [status, 0])) as Record<RedemptionStatus, number>;
    for (const row of rows) counts[statusOf(row.status)] = Number(row.count);
    return counts;
  }
}
