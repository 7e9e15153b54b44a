import { sql, type RawBuilder, type Transaction } from 'kysely';
import { type ArgumentOf, compileStatement, type Executor } from '../compiled-statement';
import type { Database } from '../database';
import type { HoldLimits } from './policy-store';
import { ms } from './policy-rows';
import type { PolicyTables } from './policy-tables';

/**
 * The running totals (policy_usage per agent, policy_treasury per period)
 * move only here (and in the PostgreSQL functions of policy-functions.ts,
 * which do the same in one call), always inside the transaction that changes
 * the reservations they sum, and only by relative updates.
 */

export interface HoldTaken {
  periodId: number;
  agentId: string;
  amount: bigint;
  limits: HoldLimits;
}

export interface HoldSettled {
  periodId: number;
  agentId: string;
  high: boolean;
  /** what leaves the holds */
  held: bigint;
  /** what joins the spend */
  spent: bigint;
}

export interface UsageStatements {
  /**
   * A new hold joins the totals if it still fits the limits, re-checked by the
   * updates themselves against the live rows (a concurrent writer's row lock
   * makes this one wait and then see its result). False: it does not fit now,
   * and the caller must roll back.
   */
  takeHold(trx: Executor, hold: HoldTaken): Promise<boolean>;
  /** A settled hold leaves the holds and, when committed, joins the spend; the treasury keeps spend + holds. */
  settleUsage(trx: Executor, hold: HoldSettled): Promise<void>;
}

/**
 * The reserve guard of a hold. Without a reserve it asks no more than the
 * treasury limit does, so one statement serves both cases.
 */
export function reserveOf(limits: HoldLimits): { dailyLimit: bigint; highReserve: bigint } {
  return limits.reserve ?? { dailyLimit: limits.treasuryLimit, highReserve: 0n };
}

/**
 * A calendar window's guard on the agent's usage row: with the hold, the
 * row's total and the agent's other periods started since the window's start
 * stay within the window's budget (no budget: no window). The same SQL as
 * windowOthersSql in the PostgreSQL function.
 */
function windowFits(amount: RawBuilder<bigint>, since: RawBuilder<bigint | null>, budget: RawBuilder<bigint | null>): RawBuilder<boolean> {
  return sql<boolean>`(${budget} is null or policy_usage.spent + policy_usage.reserved + ${amount} + (select coalesce(sum(o.spent + o.reserved), 0)
    from policy_usage o inner join policy_periods op on op.id = o.period_id
    where o.agent_id = policy_usage.agent_id and o.period_id <> policy_usage.period_id and op.started_at >= ${since}) <= ${budget})`;
}

/** The totals' statements, compiled once for the database's dialect. */
export function compileUsageStatements(database: Database<PolicyTables>): UsageStatements {
  const { db } = database;
  type TakeAgent = {
    period_id: bigint;
    agent_id: string;
    amount: bigint;
    agent_budget: bigint;
    week_since: bigint | null;
    week_budget: bigint | null;
    month_since: bigint | null;
    month_budget: bigint | null;
  };
  const takeAgent = compileStatement(database, (arg: ArgumentOf<TakeAgent>) =>
    db
      .insertInto('policy_usage')
      .values({ period_id: arg('period_id'), agent_id: arg('agent_id'), spent: 0n, reserved: arg('amount') })
      .onConflict((oc) =>
        oc
          .columns(['period_id', 'agent_id'])
          .doUpdateSet((eb) => ({ reserved: eb('policy_usage.reserved', '+', arg('amount')) }))
          .where(sql<boolean>`policy_usage.spent + policy_usage.reserved + ${arg('amount')} <= ${arg('agent_budget')}`)
          .where(windowFits(arg('amount'), arg('week_since'), arg('week_budget')))
          .where(windowFits(arg('amount'), arg('month_since'), arg('month_budget'))),
      )
      .returning('agent_id'),
  );
  const takeTreasury = compileStatement(
    database,
    (
      arg: ArgumentOf<{
        period_id: bigint;
        amount: bigint;
        high_amount: bigint;
        treasury_limit: bigint;
        daily_limit: bigint;
        high_reserve: bigint;
      }>,
    ) =>
      db
        .updateTable('policy_treasury')
        .set((eb) => ({ used: eb('used', '+', arg('amount')), high_used: eb('high_used', '+', arg('high_amount')) }))
        .where('period_id', '=', arg('period_id'))
        .where(sql<boolean>`used + ${arg('amount')} <= ${arg('treasury_limit')}`)
        .where(
          sql<boolean>`used + ${arg('amount')} <= ${arg('daily_limit')} - (case when high_used < ${arg('high_reserve')} then ${arg('high_reserve')} - high_used else 0 end)`,
        )
        .returning('period_id'),
  );
  const settleAgent = compileStatement(database, (arg: ArgumentOf<{ period_id: bigint; agent_id: string; held: bigint; spent: bigint }>) =>
    db
      .updateTable('policy_usage')
      .set((eb) => ({ reserved: eb('reserved', '-', arg('held')), spent: eb('spent', '+', arg('spent')) }))
      .where('period_id', '=', arg('period_id'))
      .where('agent_id', '=', arg('agent_id')),
  );
  const settleTreasury = compileStatement(database, (arg: ArgumentOf<{ period_id: bigint; freed: bigint; high_freed: bigint }>) =>
    db
      .updateTable('policy_treasury')
      .set((eb) => ({ used: eb('used', '-', arg('freed')), high_used: eb('high_used', '-', arg('high_freed')) }))
      .where('period_id', '=', arg('period_id')),
  );
  return {
    takeHold: async (trx, { periodId, agentId, amount, limits }) => {
      const period_id = BigInt(periodId);
      const agent = await takeAgent.run(trx, {
        period_id,
        agent_id: agentId,
        amount,
        agent_budget: limits.agentBudget,
        ...windowArgs(limits),
      });
      if (agent.length === 0) return false;
      // The treasury row is the one every hold touches: update it last, so its lock is held for the shortest time.
      const { dailyLimit, highReserve } = reserveOf(limits);
      const treasury = await takeTreasury.run(trx, {
        period_id,
        amount,
        high_amount: limits.high ? amount : 0n,
        treasury_limit: limits.treasuryLimit,
        daily_limit: dailyLimit,
        high_reserve: highReserve,
      });
      return treasury.length > 0;
    },
    settleUsage: async (trx, hold) => {
      const period_id = BigInt(hold.periodId);
      await settleAgent.run(trx, { period_id, agent_id: hold.agentId, held: hold.held, spent: hold.spent });
      const freed = hold.held - hold.spent;
      if (freed === 0n) return;
      await settleTreasury.run(trx, { period_id, freed, high_freed: hold.high ? freed : 0n });
    },
  };
}

/**
 * HELD past expiry → EXPIRED, and their amounts leave the running totals.
 * Totals move by what this statement itself changed (RETURNING), so two
 * sweepers racing never subtract a hold twice.
 */
export async function expireDue(trx: Transaction<PolicyTables>, now: Date, usage: UsageStatements): Promise<number> {
  const expired = await trx
    .updateTable('policy_reservations')
    .set({ status: 'EXPIRED', settled_at: ms(now) })
    .where('status', '=', 'HELD')
    .where('expires_at', '<=', ms(now))
    .returning(['period_id', 'agent_id', 'high', 'amount'])
    .execute();
  for (const row of expired) {
    await usage.settleUsage(trx, {
      periodId: Number(row.period_id),
      agentId: row.agent_id,
      high: row.high === 1n,
      held: row.amount,
      spent: 0n,
    });
  }
  return expired.length;
}

/** The windows' arguments of a hold's guards (null: the agent has no such window). */
export function windowArgs(limits: HoldLimits): {
  week_since: bigint | null;
  week_budget: bigint | null;
  month_since: bigint | null;
  month_budget: bigint | null;
} {
  return {
    week_since: limits.weekly ? ms(limits.weekly.since) : null,
    week_budget: limits.weekly?.budget ?? null,
    month_since: limits.monthly ? ms(limits.monthly.since) : null,
    month_budget: limits.monthly?.budget ?? null,
  };
}
