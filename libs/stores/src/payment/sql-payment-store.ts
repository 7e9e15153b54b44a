import { sql, type Kysely } from 'kysely';
import { MONEY_DECIMALS } from '@nexus/types';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { paymentMigrations } from './payment-migrations';
import { decodeCursor, encodeCursor, ms, toPayment } from './payment-rows';
import { compilePaymentStatements, PAYMENT_COLUMNS, type NewRow, type PaymentStatements } from './payment-statements';
import {
  PAYMENT_STATUSES,
  type NewPayment,
  type NewX402OutPayment,
  type NewX402Payment,
  type PaymentFilter,
  type PaymentRecord,
  type PaymentStatus,
  type PaymentStore,
  type RefundOutcome,
  type Settlement,
  type Submission,
} from './payment-store';
import type { PaymentTables } from './payment-tables';

const BASE_UNITS_PER_MNEE = 10n ** BigInt(MONEY_DECIMALS);

/** Opens (and migrates) the payments ledger on SQLite or PostgreSQL. */
/** The most payments one transaction can settle that a lookup by hash returns (a batch holds at most 500). */
const MAX_BATCH_MEMBERS = 500;

export async function createPaymentStore(database: Database<PaymentTables>): Promise<PaymentStore> {
  await migrate(database.db as Kysely<unknown>, 'payment', paymentMigrations);
  return new SqlPaymentStore(database);
}

class SqlPaymentStore implements PaymentStore {
  private readonly db: Kysely<PaymentTables>;
  /** A paid call's statements, built and compiled once (../compiled-statement.ts). */
  private readonly statements: PaymentStatements;

  constructor(private readonly database: Database<PaymentTables>) {
    this.db = database.db;
    this.statements = compilePaymentStatements(database);
  }

  async open(payment: NewPayment, now: Date): Promise<{ payment: PaymentRecord; created: boolean }> {
    // Any conflict (idempotency key or reservation): the row already there answers.
    const [inserted] = await this.statements.insert.run(this.db, newRow(payment, now));
    if (inserted) return { payment: toPayment(inserted), created: true };
    return { payment: await this.conflicting(payment), created: false };
  }

  async recordX402(payment: NewX402Payment, now: Date): Promise<{ payment: PaymentRecord; created: boolean }> {
    // No agent, no decision (''): a third party paid; the payer and its authorization nonce name the payment.
    const [inserted] = await this.db
      .insertInto('payments')
      .values({
        id: payment.id,
        idempotency_key: payment.idempotencyKey,
        agent_id: '',
        service_id: payment.serviceId,
        payee: payment.payee,
        amount: payment.amount,
        decision_id: '',
        reservation_id: null,
        mode: 'chain',
        payment_ref: null,
        status: 'SUCCESS',
        tx_hash: payment.txHash,
        block_number: payment.blockNumber === null ? null : BigInt(payment.blockNumber),
        gas_used: payment.gasUsed,
        attempts: 1n,
        created_at: ms(now),
        updated_at: ms(now),
        settled_at: ms(now),
        method: 'x402',
        payer: payment.payer,
        authorization_nonce: payment.authorizationNonce,
      })
      .onConflict((oc) => oc.doNothing())
      .returning(PAYMENT_COLUMNS)
      .execute();
    if (inserted) return { payment: toPayment(inserted), created: true };
    const existing =
      (await this.findByIdempotencyKey(payment.idempotencyKey)) ??
      (await this.db
        .selectFrom('payments')
        .select(PAYMENT_COLUMNS)
        .where('payer', '=', payment.payer)
        .where('authorization_nonce', '=', payment.authorizationNonce)
        .executeTakeFirst()
        .then((row) => row && toPayment(row)));
    if (!existing) throw new Error(`x402 payment ${payment.id} conflicted with a row that is gone`);
    return { payment: existing, created: false };
  }

  async openX402Out(payment: NewX402OutPayment, now: Date): Promise<{ payment: PaymentRecord; created: boolean }> {
    const [inserted] = await this.db
      .insertInto('payments')
      .values({
        ...newRow(payment, now),
        status: 'PENDING',
        attempts: 0n,
        updated_at: ms(now),
        method: 'x402-out',
        payer: payment.payer,
        authorization_nonce: payment.authorizationNonce,
        x402_payload: payment.x402Payload,
      })
      .onConflict((oc) => oc.doNothing())
      .returning(PAYMENT_COLUMNS)
      .execute();
    if (inserted) return { payment: toPayment(inserted), created: true };
    return { payment: await this.conflicting(payment), created: false };
  }

  async recordServed(id: string, served: boolean, now: Date): Promise<PaymentRecord | undefined> {
    await this.db
      .updateTable('payments')
      .set({ served: served ? 1n : 0n, updated_at: ms(now) })
      .where('id', '=', id)
      .where('method', '=', 'x402-out')
      .where('served', 'is', null)
      .execute();
    return this.get(id);
  }

  /** The row an insert conflicted with (on the idempotency key or the reservation): it answers for the payment. */
  private async conflicting(payment: NewPayment): Promise<PaymentRecord> {
    const existing = (await this.findByIdempotencyKey(payment.idempotencyKey)) ?? (await this.byReservation(payment.reservationId));
    if (!existing) throw new Error(`payment ${payment.id} conflicted with a row that is gone`);
    return existing;
  }

  private async byReservation(reservationId: string | null): Promise<PaymentRecord | undefined> {
    if (reservationId === null) return undefined;
    const [row] = await this.statements.byReservation.run(this.db, { reservation_id: reservationId });
    return row && toPayment(row);
  }

  async findByIdempotencyKey(idempotencyKey: string): Promise<PaymentRecord | undefined> {
    const [row] = await this.statements.byIdempotencyKey.run(this.db, { idempotency_key: idempotencyKey });
    return row && toPayment(row);
  }

  async get(id: string): Promise<PaymentRecord | undefined> {
    const [row] = await this.statements.byId.run(this.db, { id });
    return row && toPayment(row);
  }

  async findByTxHash(txHash: string): Promise<PaymentRecord[]> {
    const rows = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('tx_hash', '=', txHash.toLowerCase())
      .orderBy('created_at', 'desc')
      .limit(MAX_BATCH_MEMBERS)
      .execute();
    return rows.map(toPayment);
  }

  async lease(id: string, owner: string, now: Date, until: Date): Promise<PaymentRecord | undefined> {
    const [row] = await this.statements.lease.run(this.db, { id, owner, until: ms(until), now: ms(now) });
    return row && toPayment(row);
  }

  async recordSubmission(id: string, owner: string, submission: Submission, now: Date): Promise<boolean> {
    const [row] = await this.statements.recordSubmission.run(this.db, {
      id,
      owner,
      tx_hash: submission.txHash.toLowerCase(),
      nonce: BigInt(submission.nonce),
      raw_tx: submission.raw,
      now: ms(now),
    });
    return row !== undefined;
  }

  async listUnattended(now: Date, idleSince: Date, limit: number): Promise<PaymentRecord[]> {
    const rows = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('status', '=', 'PENDING')
      .where((eb) =>
        eb.or([eb('lease_until', '<', ms(now)), eb.and([eb('lease_until', 'is', null), eb('updated_at', '<=', ms(idleSince))])]),
      )
      .orderBy('updated_at', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toPayment);
  }

  async releaseLease(id: string, owner: string, now: Date): Promise<void> {
    await this.db
      .updateTable('payments')
      .set({ lease_owner: null, lease_until: null, updated_at: ms(now) })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async markSettled(id: string, settlement: Settlement, now: Date): Promise<PaymentRecord> {
    await this.statements.markSettled.run(this.db, {
      id,
      status: settlement.status,
      tx_hash: settlement.txHash?.toLowerCase() ?? null,
      block_number: settlement.blockNumber === null ? null : BigInt(settlement.blockNumber),
      gas_used: settlement.gasUsed,
      now: ms(now),
    });
    return this.mustGet(id);
  }

  async markFailed(id: string, failure: { code: string; message: string }, now: Date): Promise<PaymentRecord> {
    await this.statements.markFailed.run(this.db, { id, code: failure.code, message: failure.message, now: ms(now) });
    return this.mustGet(id);
  }

  async markRefunded(id: string, refund: { txHash: string | null; reason: string }, now: Date): Promise<RefundOutcome> {
    const row = await this.db
      .updateTable('payments')
      .set({
        status: 'REFUNDED',
        refund_tx_hash: refund.txHash?.toLowerCase() ?? null,
        refund_reason: refund.reason,
        refunded_at: ms(now),
        updated_at: ms(now),
      })
      .where('id', '=', id)
      .where('status', 'in', ['SUCCESS', 'MOCK'])
      .returningAll()
      .executeTakeFirst();
    if (row) return { outcome: 'refunded', payment: toPayment(row) };
    const current = await this.get(id);
    if (!current) return { outcome: 'not-found' };
    return { outcome: current.status === 'REFUNDED' ? 'already-refunded' : 'not-refundable', payment: current };
  }

  async list(filter: PaymentFilter): Promise<{ items: PaymentRecord[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('payments').selectAll();
    if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
    if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.cursor) {
      const after = decodeCursor(filter.cursor);
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit + 1)
      .execute();
    const items = rows.slice(0, filter.limit).map(toPayment);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last) : null };
  }

  async totals(): Promise<Record<PaymentStatus, { count: number; amount: bigint }>> {
    // Summed as whole MNEE and remainders apart: SQLite's 64-bit SUM would overflow on a few maximal amounts.
    const rows = await this.db
      .selectFrom('payments')
      .select((eb) => [
        'status',
        eb.fn.countAll<bigint>().as('count'),
        eb.fn.sum<bigint | string | null>(sql`amount / ${BASE_UNITS_PER_MNEE}`).as('whole'),
        eb.fn.sum<bigint | string | null>(sql`amount % ${BASE_UNITS_PER_MNEE}`).as('rest'),
      ])
      .groupBy('status')
      .execute();
    const totals = Object.fromEntries(PAYMENT_STATUSES.map((status) => [status, { count: 0, amount: 0n }])) as Record<
      PaymentStatus,
      { count: number; amount: bigint }
    >;
    for (const row of rows) {
      const status = PAYMENT_STATUSES.find((candidate) => candidate === row.status);
      if (status)
        totals[status] = { count: Number(row.count), amount: BigInt(row.whole ?? 0) * BASE_UNITS_PER_MNEE + BigInt(row.rest ?? 0) };
    }
    return totals;
  }

  ping(): Promise<void> {
    return this.database.ping();
  }

  close(): Promise<void> {
    return this.database.close();
  }

  private async mustGet(id: string): Promise<PaymentRecord> {
    const payment = await this.get(id);
    if (!payment) throw new Error(`payment ${id} vanished from the ledger`);
    return payment;
  }
}

/** A new payment's columns, as both ways of opening one write them. */
function newRow(payment: NewPayment, now: Date): NewRow {
  return {
    id: payment.id,
    idempotency_key: payment.idempotencyKey,
    agent_id: payment.agentId,
    service_id: payment.serviceId,
    payee: payment.payee,
    amount: payment.amount,
    decision_id: payment.decisionId,
    reservation_id: payment.reservationId,
    mode: payment.mode,
    payment_ref: payment.paymentRef,
    created_at: ms(now),
  };
}
