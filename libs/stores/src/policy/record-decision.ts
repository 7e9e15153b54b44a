import { sql, type Selectable } from 'kysely';
import { type ArgumentOf, compileStatement } from '../compiled-statement';
import type { Database } from '../database';
import type { DecideCommand, HoldLimits, PeriodRecord, Verdict } from './policy-store';
import { HOLD_DOES_NOT_FIT } from './policy-functions';
import { ms } from './policy-rows';
import type { PolicyTables } from './policy-tables';
import { reserveOf, windowArgs, type UsageStatements } from './policy-usage';
import { NexusError } from '@nexus/types';

export type RecordOutcome = 'recorded' | 'key_taken' | 'does_not_fit';

/**
 * Stores the decision and, for a hold, the reservation and the totals, all or
 * nothing. The idempotency key's unique index and the guarded total updates
 * decide between concurrent callers; nothing is locked in advance.
 */
export type RecordDecision = (command: DecideCommand, verdict: Verdict, period: PeriodRecord) => Promise<RecordOutcome>;

type DecisionRow = Selectable<PolicyTables['policy_decisions']>;
type NewReservation = Omit<
  Selectable<PolicyTables['policy_reservations']>,
  'committed_amount' | 'status' | 'settled_at' | 'release_reason'
>;

/** The statements compiled once for the store's dialect: PostgreSQL one call, SQLite one transaction. */
export function compileRecordDecision(database: Database<PolicyTables>, usage: UsageStatements): RecordDecision {
  return database.dialect === 'postgres' ? recordInOneCall(database) : recordInTransaction(database, usage);
}

/** PostgreSQL: one round trip, policy_record_decision (policy-functions.ts) does every step. */
function recordInOneCall(database: Database<PolicyTables>): RecordDecision {
  const { db } = database;
  type Hold = {
    [
      K in
        | 'expires_at'
        | 'high'
        | 'agent_budget'
        | 'treasury_limit'
        | 'daily_limit'
        | 'high_reserve'
        | 'week_since'
        | 'week_budget'
        | 'month_since'
        | 'month_budget'
    ]: bigint | null;
  };
  const call = compileStatement(
    database,
    (arg: ArgumentOf<DecisionRow & Hold>) => sql<{ outcome: string }>`select policy_record_decision(
      p_id => ${arg('id')}, p_idempotency_key => ${arg('idempotency_key')}, p_agent_id => ${arg('agent_id')},
      p_service_id => ${arg('service_id')}, p_requested_variant => ${arg('requested_variant')}, p_action => ${arg('action')},
      p_reason => ${arg('reason')}, p_message => ${arg('message')}, p_variant => ${arg('variant')}, p_amount => ${arg('amount')},
      p_reservation_id => ${arg('reservation_id')}, p_period_id => ${arg('period_id')}, p_created_at => ${arg('created_at')},
      p_expires_at => ${arg('expires_at')}, p_high => ${arg('high')}, p_agent_budget => ${arg('agent_budget')},
      p_treasury_limit => ${arg('treasury_limit')}, p_daily_limit => ${arg('daily_limit')}, p_high_reserve => ${arg('high_reserve')},
      p_week_since => ${arg('week_since')}, p_week_budget => ${arg('week_budget')},
      p_month_since => ${arg('month_since')}, p_month_budget => ${arg('month_budget')}
    ) as outcome`,
  );
  return async (command, verdict, period) => {
    const { decision, hold } = rowsOf(command, verdict, period);
    const reserve = hold ? reserveOf(hold.limits) : null;
    try {
      const [row] = await call.run(db, {
        ...decision,
        expires_at: hold?.reservation.expires_at ?? null,
        high: hold?.reservation.high ?? null,
        agent_budget: hold?.limits.agentBudget ?? null,
        treasury_limit: hold?.limits.treasuryLimit ?? null,
        daily_limit: reserve?.dailyLimit ?? null,
        high_reserve: reserve?.highReserve ?? null,
        ...(hold ? windowArgs(hold.limits) : { week_since: null, week_budget: null, month_since: null, month_budget: null }),
      });
      if (row?.outcome === 'recorded' || row?.outcome === 'key_taken') return row.outcome;
      throw new Error(`policy_record_decision answered ${String(row?.outcome)}`);
    } catch (error: unknown) {
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === HOLD_DOES_NOT_FIT) return 'does_not_fit';
      throw error;
    }
  };
}

/** A hold that no longer fits its limits when written: the transaction rolls back. */
class HoldDoesNotFit extends NexusError {
  override readonly name = 'HoldDoesNotFit';
}

/** SQLite: one transaction of statements compiled once (in-process, so the steps cost no round trips). */
function recordInTransaction(database: Database<PolicyTables>, usage: UsageStatements): RecordDecision {
  const { db } = database;
  const insertDecision = compileStatement(database, (arg: ArgumentOf<DecisionRow>) =>
    db
      .insertInto('policy_decisions')
      .values({
        id: arg('id'),
        idempotency_key: arg('idempotency_key'),
        agent_id: arg('agent_id'),
        service_id: arg('service_id'),
        requested_variant: arg('requested_variant'),
        action: arg('action'),
        reason: arg('reason'),
        message: arg('message'),
        variant: arg('variant'),
        amount: arg('amount'),
        reservation_id: arg('reservation_id'),
        period_id: arg('period_id'),
        created_at: arg('created_at'),
      })
      .onConflict((oc) => oc.columns(['agent_id', 'idempotency_key']).doNothing())
      .returning('id'),
  );
  const insertReservation = compileStatement(database, (arg: ArgumentOf<NewReservation>) =>
    db.insertInto('policy_reservations').values({
      id: arg('id'),
      decision_id: arg('decision_id'),
      agent_id: arg('agent_id'),
      service_id: arg('service_id'),
      variant: arg('variant'),
      amount: arg('amount'),
      committed_amount: null,
      high: arg('high'),
      status: 'HELD',
      period_id: arg('period_id'),
      expires_at: arg('expires_at'),
      created_at: arg('created_at'),
      settled_at: null,
      release_reason: null,
    }),
  );
  return async (command, verdict, period) => {
    const { decision, hold } = rowsOf(command, verdict, period);
    try {
      return await db.transaction().execute(async (trx) => {
        const stored = await insertDecision.run(trx, decision);
        if (stored.length === 0) return 'key_taken';
        if (!hold) return 'recorded';
        await insertReservation.run(trx, hold.reservation);
        const taken = { periodId: period.id, agentId: command.agentId, amount: hold.reservation.amount, limits: hold.limits };
        if (!(await usage.takeHold(trx, taken))) throw new HoldDoesNotFit();
        return 'recorded';
      });
    } catch (error: unknown) {
      if (error instanceof HoldDoesNotFit) return 'does_not_fit';
      throw error;
    }
  };
}

/** The decision's row and, for a hold, the reservation's and the limits its totals must stay within. */
function rowsOf(
  command: DecideCommand,
  verdict: Verdict,
  period: PeriodRecord,
): { decision: DecisionRow; hold: { reservation: NewReservation; limits: HoldLimits } | null } {
  const hold = holdOf(verdict);
  const created_at = ms(command.now);
  const period_id = BigInt(period.id);
  const decision: DecisionRow = {
    id: command.decisionId,
    idempotency_key: command.idempotencyKey,
    agent_id: command.agentId,
    service_id: command.serviceId,
    requested_variant: command.requestedVariant,
    action: verdict.action,
    reason: verdict.reason,
    message: verdict.message,
    variant: verdict.variant,
    amount: verdict.amount,
    reservation_id: hold ? command.reservationId : null,
    period_id,
    created_at,
  };
  if (!hold) return { decision, hold: null };
  const reservation: NewReservation = {
    id: command.reservationId,
    decision_id: command.decisionId,
    agent_id: command.agentId,
    service_id: command.serviceId,
    variant: hold.variant,
    amount: hold.amount,
    high: hold.limits.high ? 1n : 0n,
    period_id,
    expires_at: ms(expiryOf(command, verdict)),
    created_at,
  };
  return { decision, hold: { reservation, limits: hold.limits } };
}

export function holdOf(verdict: Verdict): { variant: string; amount: bigint; limits: HoldLimits } | null {
  return verdict.action !== 'REJECTED' && verdict.variant !== null && verdict.amount !== null && verdict.limits !== null
    ? { variant: verdict.variant, amount: verdict.amount, limits: verdict.limits }
    : null;
}

export const expiryOf = (command: DecideCommand, verdict: Verdict) =>
  new Date(command.now.getTime() + (verdict.holdTtlMs ?? command.holdTtlMs));
