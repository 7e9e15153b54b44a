import { sql, type Transaction } from 'kysely';
import type { HoldLimits } from './policy-store';
import { ms } from './policy-rows';
import type { PolicyTables } from './policy-tables';

/**
 * The running totals (policy_usage per agent, policy_treasury per period)
 * move only here, always inside the transaction that changes the
 * reservations they sum, and only by relative updates.
 */

type Trx = Transaction<PolicyTables>;

/**
 * A new hold joins the totals if it still fits the limits, re-checked by the
 * updates themselves against the live rows (a concurrent writer's row lock
 * makes this one wait and then see its result). False: it does not fit now,
 * and the caller must roll back.
 */
export async function takeHold(trx: Trx, periodId: number, agentId: string, amount: bigint, limits: HoldLimits): Promise<boolean> {
  const period = BigInt(periodId);
  const agent = await trx
    .insertInto('policy_usage')
    .values({ period_id: period, agent_id: agentId, spent: 0n, reserved: amount })
    .onConflict((oc) =>
      oc
        .columns(['period_id', 'agent_id'])
        .doUpdateSet((eb) => ({ reserved: eb('policy_usage.reserved', '+', amount) }))
        .where(sql<boolean>`policy_usage.spent + policy_usage.reserved + ${amount} <= ${limits.agentBudget}`),
    )
    .returning('agent_id')
    .executeTakeFirst();
  if (!agent) return false;
  // The treasury row is the one every hold touches: update it last, so its lock is held for the shortest time.
  let treasury = trx
    .updateTable('policy_treasury')
    .set((eb) => ({ used: eb('used', '+', amount), high_used: eb('high_used', '+', limits.high ? amount : 0n) }))
    .where('period_id', '=', period)
    .where(sql<boolean>`used + ${amount} <= ${limits.treasuryLimit}`);
  if (limits.reserve) {
    const { dailyLimit, highReserve } = limits.reserve;
    treasury = treasury.where(
      sql<boolean>`used + ${amount} <= ${dailyLimit} - (case when high_used < ${highReserve} then ${highReserve} - high_used else 0 end)`,
    );
  }
  return (await treasury.returning('period_id').executeTakeFirst()) !== undefined;
}

/** A settled hold leaves the holds and, when committed, joins the spend; the treasury keeps spend + holds. */
export async function settleUsage(
  trx: Trx,
  hold: { periodId: number; agentId: string; high: boolean; held: bigint; spent: bigint },
): Promise<void> {
  const period = BigInt(hold.periodId);
  await trx
    .updateTable('policy_usage')
    .set((eb) => ({ reserved: eb('reserved', '-', hold.held), spent: eb('spent', '+', hold.spent) }))
    .where('period_id', '=', period)
    .where('agent_id', '=', hold.agentId)
    .executeTakeFirstOrThrow();
  const freed = hold.held - hold.spent;
  if (freed === 0n) return;
  await trx
    .updateTable('policy_treasury')
    .set((eb) => ({ used: eb('used', '-', freed), high_used: eb('high_used', '-', hold.high ? freed : 0n) }))
    .where('period_id', '=', period)
    .executeTakeFirstOrThrow();
}

/**
 * HELD past expiry → EXPIRED, and their amounts leave the running totals.
 * Totals move by what this statement itself changed (RETURNING), so two
 * sweepers racing never subtract a hold twice.
 */
export async function expireDue(trx: Trx, now: Date): Promise<number> {
  const expired = await trx
    .updateTable('policy_reservations')
    .set({ status: 'EXPIRED', settled_at: ms(now) })
    .where('status', '=', 'HELD')
    .where('expires_at', '<=', ms(now))
    .returning(['period_id', 'agent_id', 'high', 'amount'])
    .execute();
  for (const row of expired) {
    await settleUsage(trx, { periodId: Number(row.period_id), agentId: row.agent_id, high: row.high === 1n, held: row.amount, spent: 0n });
  }
  return expired.length;
}
