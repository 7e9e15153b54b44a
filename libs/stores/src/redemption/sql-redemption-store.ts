import type { Kysely, Selectable } from 'kysely';
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
 * Opens (and migrates) a provider's redemptions on its database. The store
 * does not own the database: whoever opened it closes it.
 */
export async function createRedemptionStore(database: Database<RedemptionTables>): Promise<RedemptionStore> {
  await migrate(database.db as Kysely<unknown>, 'redemption', redemptionMigrations);
  return new SqlRedemptionStore(database.db);
}

class SqlRedemptionStore implements RedemptionStore {
  constructor(private readonly db: Kysely<RedemptionTables>) {}

  async redeem(redemption: NewRedemption, now: Date) {
    const inserted = await this.db
      .insertInto('redemptions')
      .values({
        payment_id: redemption.paymentId,
        service_id: redemption.serviceId,
        variant: redemption.variant,
        amount: redemption.amount,
        tx_hash: redemption.txHash?.toLowerCase() ?? null,
        payment_ref: redemption.paymentRef,
        status: 'REDEEMED',
        request_id: redemption.requestId,
        redeemed_at: ms(now),
        ledger_synced: 1n,
      })
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { redeemed: true as const, redemption: toRedemption(inserted) };
    const existing = await this.get(redemption.paymentId);
    if (!existing) throw new Error(`redemption of ${redemption.paymentId} conflicted but cannot be read`);
    return { redeemed: false as const, existing };
  }

  async get(paymentId: string): Promise<Redemption | undefined> {
    const row = await this.db.selectFrom('redemptions').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();
    return row && toRedemption(row);
  }

  async markServed(paymentId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('redemptions')
      .set({ status: 'SERVED', finished_at: ms(now) })
      .where('payment_id', '=', paymentId)
      .where('status', '=', 'REDEEMED')
      .execute();
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
