import type { Transaction } from 'kysely';
import { ms } from './policy-rows';
import type { PolicyTables } from './policy-tables';

/**
 * The running totals (policy_usage) move only here, always inside the
 * transaction that changes the reservations they sum, by relative updates.
 */

/**
 * HELD past expiry → EXPIRED, and their amounts leave the running totals.
 * Totals move by what this statement itself changed (RETURNING), so two
 * sweepers racing never subtract a hold twice.
 */
export async function expireDue(trx: Transaction<PolicyTables>, now: Date): Promise<number> {
  const expired = await trx
    .updateTable('policy_reservations')
    .set({ status: 'EXPIRED', settled_at: ms(now) })
    .where('status', '=', 'HELD')
    .where('expires_at', '<=', ms(now))
    .returning(['period_id', 'agent_id', 'amount'])
    .execute();
  const totals = new Map<string, { periodId: number; agentId: string; amount: bigint }>();
  for (const row of expired) {
    const key = `${row.period_id}/${row.agent_id}`;
    const total = totals.get(key) ?? { periodId: Number(row.period_id), agentId: row.agent_id, amount: 0n };
    total.amount += row.amount;
    totals.set(key, total);
  }
  for (const t of totals.values()) await settleUsage(trx, t.periodId, t.agentId, t.amount, 0n);
  return expired.length;
}

/** A new hold joins the agent's running totals (creating the period's row on its first hold). */
export async function addHold(trx: Transaction<PolicyTables>, periodId: number, agentId: string, amount: bigint): Promise<void> {
  await trx
    .insertInto('policy_usage')
    .values({ period_id: BigInt(periodId), agent_id: agentId, spent: 0n, reserved: amount })
    .onConflict((oc) => oc.columns(['period_id', 'agent_id']).doUpdateSet((eb) => ({ reserved: eb('policy_usage.reserved', '+', amount) })))
    .execute();
}

/** A settled hold leaves `reserved` and, when committed, joins `spent`: one atomic relative update. */
export async function settleUsage(
  trx: Transaction<PolicyTables>,
  periodId: number,
  agentId: string,
  held: bigint,
  spent: bigint,
): Promise<void> {
  await trx
    .updateTable('policy_usage')
    .set((eb) => ({ reserved: eb('reserved', '-', held), spent: eb('spent', '+', spent) }))
    .where('period_id', '=', BigInt(periodId))
    .where('agent_id', '=', agentId)
    .executeTakeFirstOrThrow();
}
