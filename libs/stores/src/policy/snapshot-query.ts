import { sql, type RawBuilder } from 'kysely';
import { type ArgumentOf, compileStatement } from '../compiled-statement';
import type { Database } from '../database';
import type { PolicyTables } from './policy-tables';

/** The id of policy_state's one row. */
export const STATE_ID = 1n;

/**
 * Period, agent overrides, the agent's and the treasury's totals and the id
 * of a decision already stored under the key (none for the key ''): one
 * query, compiled once.
 */
export function compileSnapshotQuery(database: Database<PolicyTables>) {
  const { db } = database;
  return compileStatement(
    database,
    (arg: ArgumentOf<{ agent_id: string; idempotency_key: string; now: bigint; week_start: bigint; month_start: bigint }>) =>
      db
        .selectFrom('policy_state as s')
        .innerJoin('policy_periods as p', 'p.id', 's.period_id')
        .innerJoin('policy_treasury as t', 't.period_id', 's.period_id')
        .leftJoin('policy_usage as u', (join) => join.onRef('u.period_id', '=', 's.period_id').on('u.agent_id', '=', arg('agent_id')))
        .leftJoin('policy_agents as a', (join) => join.on('a.id', '=', arg('agent_id')))
        .leftJoin('policy_decisions as d', (join) =>
          join.on('d.agent_id', '=', arg('agent_id')).on('d.idempotency_key', '=', arg('idempotency_key')),
        )
        .select([
          'p.id as period_id',
          'p.started_at',
          'p.ends_at',
          't.used',
          't.high_used',
          'u.spent',
          'u.reserved',
          'a.id as agent_row',
          'a.daily_budget',
          'a.max_per_call',
          'a.weekly_budget',
          'a.weekly_budget_set',
          'a.monthly_budget',
          'a.monthly_budget_set',
          'a.paused',
          'a.approval_above',
          'a.approval_above_set',
          'd.id as existing_id',
          // Holds past their time that no sweep has reached yet: they stop counting at once.
          dueHolds(arg('now'), sql`and r.agent_id = ${arg('agent_id')}`).as('agent_due'),
          dueHolds(arg('now'), sql``).as('treasury_due'),
          dueHolds(arg('now'), sql`and r.high = 1`).as('high_due'),
          // The agent's other periods of its calendar windows (holds past their time there are swept within seconds).
          otherPeriods(sql`o.spent`, arg('agent_id'), arg('week_start')).as('week_spent'),
          otherPeriods(sql`o.reserved`, arg('agent_id'), arg('week_start')).as('week_reserved'),
          otherPeriods(sql`o.spent`, arg('agent_id'), arg('month_start')).as('month_spent'),
          otherPeriods(sql`o.reserved`, arg('agent_id'), arg('month_start')).as('month_reserved'),
          // The period before this one, for rollover: what the agent used of it, and when it ended.
          sql<
            bigint | null
          >`(select pu.spent + pu.reserved from policy_usage pu where pu.period_id = s.period_id - 1 and pu.agent_id = ${arg('agent_id')})`.as(
            'previous_used',
          ),
          sql<bigint | null>`(select pp.ends_at from policy_periods pp where pp.id = s.period_id - 1)`.as('previous_ends_at'),
        ])
        .where('s.id', '=', STATE_ID),
  );
}

/** Sum of `column` over the agent's periods other than the snapshot's that started at or after `since`. */
function otherPeriods(column: RawBuilder<unknown>, agentId: RawBuilder<string>, since: RawBuilder<bigint>): RawBuilder<bigint> {
  return sql<bigint>`(select cast(coalesce(sum(${column}), 0) as bigint) from policy_usage o inner join policy_periods op on op.id = o.period_id
    where o.agent_id = ${agentId} and o.period_id <> s.period_id and op.started_at >= ${since})`;
}

/** Sum of the HELD amounts of the snapshot's period that are past their expiry (`extra` narrows it). */
function dueHolds(now: RawBuilder<bigint>, extra: RawBuilder<unknown>): RawBuilder<bigint> {
  return sql<bigint>`(select cast(coalesce(sum(r.amount), 0) as bigint) from policy_reservations r
    where r.status = 'HELD' and r.expires_at <= ${now} and r.period_id = s.period_id ${extra})`;
}
