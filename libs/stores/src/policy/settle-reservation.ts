import { sql, type Selectable } from 'kysely';
import { type ArgumentOf, compileStatement } from '../compiled-statement';
import type { Database } from '../database';
import { ms } from './policy-rows';
import type { PolicyTables } from './policy-tables';
import type { UsageStatements } from './policy-usage';

type ReservationRow = Selectable<PolicyTables['policy_reservations']>;

export type SettleTarget = { status: 'COMMITTED'; amount: bigint | undefined } | { status: 'RELEASED'; reason: string | null };

/**
 * HELD → COMMITTED or RELEASED in one guarded statement (still held, a
 * commit not above the hold), and the running totals follow in the same
 * transaction. A hold past its expiry is still settled: a commit that comes
 * late (a payment that landed after the hold ran out) is spend all the same,
 * so an EXPIRED hold can be committed too, and joins the spend again.
 * Undefined: nothing matched (the caller's second look says why).
 */
export type SettleReservation = (reservationId: string, now: Date, target: SettleTarget) => Promise<ReservationRow | undefined>;

/** The statements compiled once for the store's dialect: PostgreSQL one call, SQLite one transaction. */
export function compileSettleReservation(database: Database<PolicyTables>, usage: UsageStatements): SettleReservation {
  return database.dialect === 'postgres' ? settleInOneCall(database) : settleInTransaction(database, usage);
}

/** PostgreSQL: one round trip, policy_settle (policy-functions.ts) does every step. */
function settleInOneCall(database: Database<PolicyTables>): SettleReservation {
  const { db } = database;
  const call = compileStatement(
    database,
    (arg: ArgumentOf<{ id: string; status: string; amount: bigint | null; settled_at: bigint; reason: string | null }>) =>
      // Columns by name, not *: a prepared statement must not change its result's shape when the table gains a column.
      sql<ReservationRow>`select id, decision_id, agent_id, service_id, variant, amount, committed_amount, high, status, period_id,
          expires_at, created_at, settled_at, release_reason
        from policy_settle(p_id => ${arg('id')}, p_status => ${arg('status')}, p_amount => ${arg('amount')},
          p_settled_at => ${arg('settled_at')}, p_reason => ${arg('reason')})`,
  );
  return async (reservationId, now, target) => {
    const [row] = await call.run(db, {
      id: reservationId,
      status: target.status,
      amount: target.status === 'COMMITTED' ? (target.amount ?? null) : null,
      settled_at: ms(now),
      reason: target.status === 'RELEASED' ? target.reason : null,
    });
    return row;
  };
}

/** SQLite: one transaction of statements compiled once. */
function settleInTransaction(database: Database<PolicyTables>, usage: UsageStatements): SettleReservation {
  const { db } = database;
  // A commit names the status it moves from (HELD, then EXPIRED); no amount commits the whole hold.
  const commit = compileStatement(database, (arg: ArgumentOf<{ id: string; from: string; amount: bigint | null; settled_at: bigint }>) =>
    db
      .updateTable('policy_reservations')
      .set((eb) => ({
        status: 'COMMITTED',
        settled_at: arg('settled_at'),
        committed_amount: eb.fn.coalesce(arg('amount'), eb.ref('amount')),
      }))
      .where('id', '=', arg('id'))
      .where('status', '=', arg('from'))
      .where(sql<boolean>`amount >= coalesce(${arg('amount')}, amount)`)
      .returningAll(),
  );
  const release = compileStatement(database, (arg: ArgumentOf<{ id: string; reason: string | null; settled_at: bigint }>) =>
    db
      .updateTable('policy_reservations')
      .set({ status: 'RELEASED', settled_at: arg('settled_at'), release_reason: arg('reason') })
      .where('id', '=', arg('id'))
      .where('status', '=', 'HELD')
      .returningAll(),
  );
  return (reservationId, now, target) =>
    db.transaction().execute(async (trx) => {
      const settled_at = ms(now);
      const froms = target.status === 'COMMITTED' ? (['HELD', 'EXPIRED'] as const) : (['HELD'] as const);
      for (const from of froms) {
        const [row] =
          target.status === 'COMMITTED'
            ? await commit.run(trx, { id: reservationId, from, amount: target.amount ?? null, settled_at })
            : await release.run(trx, { id: reservationId, reason: target.reason, settled_at });
        if (!row) continue;
        const hold = { periodId: Number(row.period_id), agentId: row.agent_id, high: row.high === 1n };
        // An expired hold already left the holds: only its spend joins the totals.
        await usage.settleUsage(trx, { ...hold, held: from === 'HELD' ? row.amount : 0n, spent: row.committed_amount ?? 0n });
        return row;
      }
      return undefined;
    });
}
