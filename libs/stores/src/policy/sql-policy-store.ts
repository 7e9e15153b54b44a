import { sql, type Kysely, type Transaction } from 'kysely';
import type { DecisionAction } from '@nexus/types';
import type { Database } from '../database';
import { migrate } from '../migrations';
import type { ApprovalChange, ApprovalFilter, ApprovalRecord, ApprovalStore, NewApproval } from './approval-records';
import { approvalStatements } from './approval-statements';
import { listDecisions, listReservations } from './policy-lists';
import { policyMigrations } from './policy-migrations';
import { ms, toAgentState, toDate, toDecision, toReservation } from './policy-rows';
import type {
  AgentStateRecord,
  BudgetOverride,
  DecideCommand,
  DecideOutcome,
  DecisionFilter,
  DecisionRecord,
  PeriodRecord,
  PolicyCalendar,
  PolicySnapshot,
  PolicyStore,
  ReservationFilter,
  ReservationRecord,
  SettleOutcome,
  TreasuryStanding,
  UsageRecord,
  Verdict,
} from './policy-store';
import type { PolicyTables } from './policy-tables';
import { compileUsageStatements, expireDue, type UsageStatements } from './policy-usage';
import { compileRecordDecision, expiryOf, holdOf, type RecordDecision } from './record-decision';
import { compileSettleReservation, type SettleReservation, type SettleTarget } from './settle-reservation';
import { compileSnapshotQuery, STATE_ID } from './snapshot-query';

/** Attempts of one decision when concurrent ones keep taking what it needs; then it gives up (503, retry). */
const MAX_ATTEMPTS = 20;

/** Opens (and migrates) the policy store on SQLite or PostgreSQL. */
export async function createPolicyStore(
  database: Database<PolicyTables>,
  calendar: PolicyCalendar,
  now = new Date(),
): Promise<PolicyStore> {
  await migrate(database.db as Kysely<unknown>, 'policy', policyMigrations(database.dialect));
  const store = new SqlPolicyStore(database, calendar);
  await store.initialise(now);
  return store;
}

class SqlPolicyStore implements PolicyStore {
  private readonly db: Kysely<PolicyTables>;
  private readonly approvals: ApprovalStore;
  // The hot path's statements, built and compiled once (see compiled-statement.ts).
  private readonly usageStatements: UsageStatements;
  private readonly snapshotQuery: ReturnType<typeof compileSnapshotQuery>;
  private readonly recordDecision: RecordDecision;
  private readonly settleReservation: SettleReservation;

  private readonly periodBounds: PolicyCalendar['period'];

  constructor(
    private readonly database: Database<PolicyTables>,
    private readonly calendar: PolicyCalendar,
  ) {
    this.periodBounds = calendar.period;
    this.db = database.db;
    this.approvals = approvalStatements(database.db);
    this.usageStatements = compileUsageStatements(database);
    this.snapshotQuery = compileSnapshotQuery(database);
    this.recordDecision = compileRecordDecision(database, this.usageStatements);
    this.settleReservation = compileSettleReservation(database, this.usageStatements);
  }

  /** Creates the first period; a no-op when another instance got there first. */
  async initialise(now: Date): Promise<void> {
    const { start, end } = this.periodBounds(now);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('policy_periods')
        .values({ id: 1n, started_at: ms(start), ends_at: ms(end), reason: 'INITIAL' })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await trx
        .insertInto('policy_treasury')
        .values({ period_id: 1n, used: 0n, high_used: 0n })
        .onConflict((oc) => oc.column('period_id').doNothing())
        .execute();
      await trx
        .insertInto('policy_state')
        .values({ id: STATE_ID, period_id: 1n })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    });
  }

  async decide(command: DecideCommand, evaluate: (snapshot: PolicySnapshot) => Verdict): Promise<DecideOutcome> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const { snapshot, existingId } = await this.readSnapshot(command.agentId, command.idempotencyKey, command.now);
      if (existingId !== null) return this.replay(existingId, command);
      const verdict = evaluate(snapshot);
      const outcome = await this.recordDecision(command, verdict, snapshot.period);
      switch (outcome) {
        case 'recorded':
          return { kind: 'decided', decision: this.decisionFrom(command, verdict, snapshot.period) };
        case 'key_taken':
          continue; // a concurrent call with the same key stored its answer first: the next read returns it
        case 'does_not_fit':
          await this.sweepExpired(command.now); // holds past their time may be what is in the way
          continue;
      }
    }
    return { kind: 'contended' };
  }

  private decisionFrom(command: DecideCommand, verdict: Verdict, period: PeriodRecord): DecisionRecord {
    const hold = holdOf(verdict);
    return {
      id: command.decisionId,
      idempotencyKey: command.idempotencyKey,
      agentId: command.agentId,
      serviceId: command.serviceId,
      requestedVariant: command.requestedVariant,
      action: verdict.action,
      reason: verdict.reason,
      message: verdict.message,
      variant: verdict.variant,
      amount: verdict.amount,
      reservationId: hold ? command.reservationId : null,
      expiresAt: hold ? expiryOf(command, verdict) : null,
      periodId: period.id,
      createdAt: command.now,
    };
  }

  /** The stored answer to a known key: the same request replays it, another one is refused. */
  private async replay(decisionId: string, command: DecideCommand): Promise<DecideOutcome> {
    const decision = await this.getDecision(decisionId);
    if (!decision) throw new Error(`decision ${decisionId} vanished`);
    const same = decision.serviceId === command.serviceId && decision.requestedVariant === command.requestedVariant;
    return { kind: same ? 'replayed' : 'key_reused', decision };
  }

  async snapshot(agentId: string, now: Date): Promise<PolicySnapshot> {
    // No sweep needed: the snapshot already leaves holds past their time out.
    return (await this.readSnapshot(agentId, null, now)).snapshot;
  }

  async usage(now: Date): Promise<{ period: PeriodRecord; usage: UsageRecord[] }> {
    await this.sweepExpired(now);
    const period = await this.currentPeriod(now);
    const rows = await this.db
      .selectFrom('policy_usage')
      .select(['agent_id', 'spent', 'reserved'])
      .where('period_id', '=', BigInt(period.id))
      .execute();
    return { period, usage: rows.map((u) => ({ agentId: u.agent_id, spent: u.spent, reserved: u.reserved })) };
  }

  async treasury(now: Date): Promise<TreasuryStanding> {
    const { period, usage } = await this.usage(now);
    const row = await this.db
      .selectFrom('policy_treasury')
      .select(['high_used'])
      .where('period_id', '=', BigInt(period.id))
      .executeTakeFirst();
    const sum = (pick: (record: UsageRecord) => bigint) => usage.reduce((total, record) => total + pick(record), 0n);
    return { period, spent: sum((u) => u.spent), reserved: sum((u) => u.reserved), highUsed: row?.high_used ?? 0n };
  }

  commit(reservationId: string, amount: bigint | undefined, now: Date): Promise<SettleOutcome> {
    return this.settle(reservationId, now, { status: 'COMMITTED', amount });
  }

  release(reservationId: string, now: Date, reason: string | null): Promise<SettleOutcome> {
    return this.settle(reservationId, now, { status: 'RELEASED', reason });
  }

  async pin(reservationId: string, until: Date): Promise<ReservationRecord | undefined> {
    const row = await this.db
      .updateTable('policy_reservations')
      .set((eb) => ({
        expires_at: sql<bigint>`CASE WHEN ${eb.ref('expires_at')} < ${ms(until)} THEN ${ms(until)} ELSE ${eb.ref('expires_at')} END`,
      }))
      .where('id', '=', reservationId)
      .where('status', '=', 'HELD')
      .returningAll()
      .executeTakeFirst();
    return row ? toReservation(row) : undefined;
  }

  async sweepExpired(now: Date): Promise<number> {
    return this.db.transaction().execute((trx) => expireDue(trx, now, this.usageStatements));
  }

  async getDecision(id: string): Promise<DecisionRecord | undefined> {
    const row = await this.db.selectFrom('policy_decisions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.withExpiry(toDecision(row)) : undefined;
  }

  async countDecisions(filter: { agentId: string; action: DecisionAction; since: Date }): Promise<number> {
    const row = await this.db
      .selectFrom('policy_decisions')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('count'))
      .where('agent_id', '=', filter.agentId)
      .where('action', '=', filter.action)
      .where('created_at', '>=', ms(filter.since))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async getReservation(id: string): Promise<ReservationRecord | undefined> {
    const row = await this.db.selectFrom('policy_reservations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toReservation(row) : undefined;
  }

  async agentStates(): Promise<AgentStateRecord[]> {
    const rows = await this.db.selectFrom('policy_agents').selectAll().execute();
    return rows.map(toAgentState);
  }

  async currentPeriod(now: Date): Promise<PeriodRecord> {
    const state = await this.readPeriod();
    if (now < state.endsAt) return state;
    return this.db.transaction().execute((trx) => this.lockCurrentPeriod(trx, now));
  }

  async resetPeriod(now: Date): Promise<{ period: PeriodRecord; previous: PeriodRecord }> {
    return this.db.transaction().execute(async (trx) => {
      const previous = await this.lockCurrentPeriod(trx, now);
      const period = await this.startPeriod(trx, previous.id + 1, now, this.periodBounds(now).end, 'RESET');
      return { period, previous };
    });
  }

  async setBudget(agentId: string, override: BudgetOverride, now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.ensureAgentRow(trx, agentId, now);
      await trx
        .updateTable('policy_agents')
        .set({
          ...(override.dailyBudget !== undefined ? { daily_budget: override.dailyBudget } : {}),
          ...(override.maxPerCall !== undefined ? { max_per_call: override.maxPerCall } : {}),
          ...(override.weeklyBudget !== undefined ? { weekly_budget: override.weeklyBudget, weekly_budget_set: 1n } : {}),
          ...(override.monthlyBudget !== undefined ? { monthly_budget: override.monthlyBudget, monthly_budget_set: 1n } : {}),
          ...(override.approvalAbove !== undefined ? { approval_above: override.approvalAbove, approval_above_set: 1n } : {}),
          updated_at: ms(now),
        })
        .where('id', '=', agentId)
        .execute();
    });
  }

  async setPaused(agentId: string, { paused }: { paused: boolean }, now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.ensureAgentRow(trx, agentId, now);
      await trx
        .updateTable('policy_agents')
        .set({ paused: paused ? 1n : 0n, updated_at: ms(now) })
        .where('id', '=', agentId)
        .execute();
    });
  }

  ping(): Promise<void> {
    return this.database.ping();
  }

  close(): Promise<void> {
    return this.database.close();
  }

  listDecisions(filter: DecisionFilter): Promise<{ items: DecisionRecord[]; nextCursor: string | null }> {
    return listDecisions(this.db, filter);
  }

  listReservations(filter: ReservationFilter): Promise<{ items: ReservationRecord[]; nextCursor: string | null }> {
    return listReservations(this.db, filter);
  }

  createApproval(approval: NewApproval): Promise<ApprovalRecord> {
    return this.approvals.createApproval(approval);
  }

  getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return this.approvals.getApproval(id);
  }

  listApprovals(filter: ApprovalFilter): Promise<{ items: ApprovalRecord[]; nextCursor: string | null }> {
    return this.approvals.listApprovals(filter);
  }

  approve(id: string, answer: Parameters<ApprovalStore['approve']>[1]): Promise<ApprovalChange> {
    return this.approvals.approve(id, answer);
  }

  closeApproval(id: string, answer: Parameters<ApprovalStore['closeApproval']>[1]): Promise<ApprovalChange> {
    return this.approvals.closeApproval(id, answer);
  }

  complete(id: string, end: Parameters<ApprovalStore['complete']>[1]): Promise<ApprovalChange> {
    return this.approvals.complete(id, end);
  }

  overdueApprovals(now: Date, limit: number): Promise<ApprovalRecord[]> {
    return this.approvals.overdueApprovals(now, limit);
  }

  closedApprovalsStillHeld(limit: number): Promise<ApprovalRecord[]> {
    return this.approvals.closedApprovalsStillHeld(limit);
  }

  /** Settles in one step (see settle-reservation.ts); nothing matched: a second look says why. */
  private async settle(reservationId: string, now: Date, target: SettleTarget): Promise<SettleOutcome> {
    const settled = await this.settleReservation(reservationId, now, target);
    return settled ? { kind: 'settled', reservation: toReservation(settled) } : this.whyNotSettled(reservationId, target.status);
  }

  /**
   * Locks the state row (PostgreSQL: `FOR UPDATE`; SQLite: the store's single
   * connection runs one transaction at a time) and rolls the period over if
   * it has ended, so concurrent callers at the boundary roll it once.
   */
  private async lockCurrentPeriod(trx: Transaction<PolicyTables>, now: Date): Promise<PeriodRecord> {
    // Lock the state row on its own: joined in the same statement, a waiter would see the new state row
    // beside the old period row after a concurrent roll-over (READ COMMITTED rechecks only locked rows).
    let lock = trx.selectFrom('policy_state').select('period_id').where('id', '=', STATE_ID);
    if (this.database.dialect === 'postgres') lock = lock.forUpdate();
    const { period_id } = await lock.executeTakeFirstOrThrow();
    const row = await trx.selectFrom('policy_periods').selectAll().where('id', '=', period_id).executeTakeFirstOrThrow();
    const current = { id: Number(row.id), startedAt: toDate(row.started_at), endsAt: toDate(row.ends_at) };
    if (now < current.endsAt) return current;
    const { start, end } = this.periodBounds(now);
    return this.startPeriod(trx, current.id + 1, start, end, 'BOUNDARY');
  }

  private async startPeriod(trx: Transaction<PolicyTables>, id: number, start: Date, end: Date, reason: string): Promise<PeriodRecord> {
    await trx
      .insertInto('policy_periods')
      .values({ id: BigInt(id), started_at: ms(start), ends_at: ms(end), reason })
      .execute();
    await trx
      .insertInto('policy_treasury')
      .values({ period_id: BigInt(id), used: 0n, high_used: 0n })
      .execute();
    await trx
      .updateTable('policy_state')
      .set({ period_id: BigInt(id) })
      .where('id', '=', STATE_ID)
      .execute();
    return { id, startedAt: start, endsAt: end };
  }

  private async readPeriod(): Promise<PeriodRecord> {
    const row = await this.db
      .selectFrom('policy_state')
      .innerJoin('policy_periods', 'policy_periods.id', 'policy_state.period_id')
      .select(['policy_periods.id', 'policy_periods.started_at', 'policy_periods.ends_at'])
      .where('policy_state.id', '=', STATE_ID)
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), startedAt: toDate(row.started_at), endsAt: toDate(row.ends_at) };
  }

  /**
   * Period, agent overrides, the agent's and the treasury's totals and (given
   * a key) the id of a decision already stored under it: one query. Rolls the
   * period first when it has ended.
   */
  private async readSnapshot(
    agentId: string,
    idempotencyKey: string | null,
    now: Date,
  ): Promise<{ snapshot: PolicySnapshot; existingId: string | null }> {
    const week = this.calendar.weekly(now);
    const month = this.calendar.monthly(now);
    for (;;) {
      const [row] = await this.snapshotQuery.run(this.db, {
        agent_id: agentId,
        idempotency_key: idempotencyKey ?? '',
        now: ms(now),
        week_start: ms(week.start),
        month_start: ms(month.start),
      });
      if (!row) throw new Error('the policy state row is missing');
      const period = { id: Number(row.period_id), startedAt: toDate(row.started_at), endsAt: toDate(row.ends_at) };
      if (now >= period.endsAt) {
        await this.currentPeriod(now);
        continue;
      }
      const agentState =
        row.agent_row === null
          ? undefined
          : toAgentState({
              id: row.agent_row,
              daily_budget: row.daily_budget,
              max_per_call: row.max_per_call,
              weekly_budget: row.weekly_budget,
              weekly_budget_set: row.weekly_budget_set ?? 0n,
              monthly_budget: row.monthly_budget,
              monthly_budget_set: row.monthly_budget_set ?? 0n,
              paused: row.paused ?? 0n,
              approval_above: row.approval_above,
              approval_above_set: row.approval_above_set ?? 0n,
              updated_at: 0n,
            });
      const standing = {
        agentSpent: row.spent ?? 0n,
        agentReserved: (row.reserved ?? 0n) - BigInt(row.agent_due),
        treasuryUsed: row.used - BigInt(row.treasury_due),
        highUsed: row.high_used - BigInt(row.high_due),
      };
      const windows = {
        weekly: {
          ...week,
          spent: standing.agentSpent + BigInt(row.week_spent),
          reserved: standing.agentReserved + BigInt(row.week_reserved),
        },
        monthly: {
          ...month,
          spent: standing.agentSpent + BigInt(row.month_spent),
          reserved: standing.agentReserved + BigInt(row.month_reserved),
        },
        previousPeriod:
          row.previous_ends_at === null ? null : { used: BigInt(row.previous_used ?? 0n), endsAt: toDate(BigInt(row.previous_ends_at)) },
      };
      return { snapshot: { period, agentState, standing, windows }, existingId: idempotencyKey === null ? null : row.existing_id };
    }
  }

  private async whyNotSettled(reservationId: string, target: 'COMMITTED' | 'RELEASED'): Promise<SettleOutcome> {
    const row = await this.db.selectFrom('policy_reservations').selectAll().where('id', '=', reservationId).executeTakeFirst();
    if (!row) return { kind: 'not_found' };
    const reservation = toReservation(row);
    switch (reservation.status) {
      case 'COMMITTED':
      case 'RELEASED':
        return { kind: 'already_settled', reservation };
      case 'EXPIRED':
        // a commit takes an expired hold; only one above the hold is refused
        return target === 'COMMITTED' ? { kind: 'exceeds_hold', reservation } : { kind: 'expired', reservation };
      case 'HELD':
        return { kind: 'exceeds_hold', reservation };
    }
  }

  /** A stored decision's hold expiry lives on its reservation. */
  private async withExpiry(decision: DecisionRecord): Promise<DecisionRecord> {
    if (decision.reservationId === null) return decision;
    const row = await this.db
      .selectFrom('policy_reservations')
      .select('expires_at')
      .where('id', '=', decision.reservationId)
      .executeTakeFirst();
    return { ...decision, expiresAt: row ? toDate(row.expires_at) : null };
  }

  private async ensureAgentRow(trx: Transaction<PolicyTables>, agentId: string, now: Date): Promise<void> {
    await trx
      .insertInto('policy_agents')
      .values({
        id: agentId,
        daily_budget: null,
        max_per_call: null,
        weekly_budget: null,
        weekly_budget_set: 0n,
        monthly_budget: null,
        monthly_budget_set: 0n,
        paused: 0n,
        updated_at: ms(now),
        approval_above: null,
        approval_above_set: 0n,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}
