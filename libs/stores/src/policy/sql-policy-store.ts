import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { policyMigrations } from './policy-migrations';
import { ms, toAgentState, toDate, toDecision, toReservation } from './policy-rows';
import type {
  AgentStateRecord,
  BudgetOverride,
  DecideCommand,
  DecideOutcome,
  DecisionRecord,
  PeriodBounds,
  PeriodRecord,
  PolicySnapshot,
  PolicyStore,
  ReservationRecord,
  SettleOutcome,
  Verdict,
} from './policy-store';
import type { PolicyTables } from './policy-tables';
import { addHold, expireDue, settleUsage } from './policy-usage';

type Db = Kysely<PolicyTables> | Transaction<PolicyTables>;
const STATE_ID = 1n;

/** Opens (and migrates) the policy store on SQLite or PostgreSQL. */
export async function createPolicyStore(
  database: Database<PolicyTables>,
  periodBounds: PeriodBounds,
  now = new Date(),
): Promise<PolicyStore> {
  await migrate(database.db as Kysely<unknown>, 'policy', policyMigrations);
  const store = new SqlPolicyStore(database, periodBounds);
  await store.initialise(now);
  return store;
}

class SqlPolicyStore implements PolicyStore {
  private readonly db: Kysely<PolicyTables>;

  constructor(
    private readonly database: Database<PolicyTables>,
    private readonly periodBounds: PeriodBounds,
  ) {
    this.db = database.db;
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
        .insertInto('policy_state')
        .values({ id: STATE_ID, period_id: 1n })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    });
  }

  async decide(command: DecideCommand, evaluate: (snapshot: PolicySnapshot) => Verdict): Promise<DecideOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const period = await this.lockCurrentPeriod(trx, command.now);
      await expireDue(trx, command.now);
      const previous = await trx
        .selectFrom('policy_decisions')
        .selectAll()
        .where('agent_id', '=', command.agentId)
        .where('idempotency_key', '=', command.idempotencyKey)
        .executeTakeFirst();
      if (previous) {
        const decision = await this.withExpiry(trx, toDecision(previous));
        const same = previous.service_id === command.serviceId && previous.requested_variant === command.requestedVariant;
        return { kind: same ? 'replayed' : 'key_reused', decision };
      }

      const verdict = evaluate(await this.readSnapshot(trx, period, command.agentId));
      const hold =
        verdict.action !== 'REJECTED' && verdict.variant !== null && verdict.amount !== null
          ? { variant: verdict.variant, amount: verdict.amount }
          : null;
      const expiresAt = new Date(command.now.getTime() + command.holdTtlMs);
      const createdAt = ms(command.now);
      await trx
        .insertInto('policy_decisions')
        .values({
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
          period_id: BigInt(period.id),
          created_at: createdAt,
        })
        .execute();
      if (hold) {
        await trx
          .insertInto('policy_reservations')
          .values({
            id: command.reservationId,
            decision_id: command.decisionId,
            agent_id: command.agentId,
            service_id: command.serviceId,
            variant: hold.variant,
            amount: hold.amount,
            committed_amount: null,
            status: 'HELD',
            period_id: BigInt(period.id),
            expires_at: ms(expiresAt),
            created_at: createdAt,
            settled_at: null,
            release_reason: null,
          })
          .execute();
        await addHold(trx, period.id, command.agentId, hold.amount);
      }
      return {
        kind: 'decided',
        decision: {
          id: command.decisionId,
          idempotencyKey: command.idempotencyKey,
          agentId: command.agentId,
          serviceId: command.serviceId,
          requestedVariant: command.requestedVariant,
          ...verdict,
          reservationId: hold ? command.reservationId : null,
          expiresAt: hold ? expiresAt : null,
          periodId: period.id,
          createdAt: command.now,
        },
      };
    });
  }

  async snapshot(agentId: string | undefined, now: Date): Promise<PolicySnapshot> {
    const period = await this.currentPeriod(now);
    await this.sweepExpired(now);
    return this.readSnapshot(this.db, period, agentId);
  }

  commit(reservationId: string, amount: bigint | undefined, now: Date): Promise<SettleOutcome> {
    return this.settle(reservationId, now, { status: 'COMMITTED', amount });
  }

  release(reservationId: string, now: Date, reason: string | null): Promise<SettleOutcome> {
    return this.settle(reservationId, now, { status: 'RELEASED', reason });
  }

  async sweepExpired(now: Date): Promise<number> {
    return this.db.transaction().execute((trx) => expireDue(trx, now));
  }

  async getDecision(id: string): Promise<DecisionRecord | undefined> {
    const row = await this.db.selectFrom('policy_decisions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.withExpiry(this.db, toDecision(row)) : undefined;
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
    const state = await this.readPeriod(this.db);
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
          updated_at: ms(now),
        })
        .where('id', '=', agentId)
        .execute();
    });
  }

  async setPaused(agentId: string, paused: boolean, now: Date): Promise<void> {
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

  /**
   * HELD → COMMITTED or RELEASED in one guarded statement (still held, not
   * expired, a commit not above the hold), and the running totals follow in
   * the same transaction. Nothing matched: a second look says why.
   */
  private async settle(
    reservationId: string,
    now: Date,
    target: { status: 'COMMITTED'; amount: bigint | undefined } | { status: 'RELEASED'; reason: string | null },
  ): Promise<SettleOutcome> {
    const actual = target.status === 'COMMITTED' ? target.amount : undefined;
    const settled = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('policy_reservations')
        .set((eb) => ({
          status: target.status,
          settled_at: ms(now),
          ...(target.status === 'COMMITTED' ? { committed_amount: actual ?? eb.ref('amount') } : { release_reason: target.reason }),
        }))
        .where('id', '=', reservationId)
        .where('status', '=', 'HELD')
        .where('expires_at', '>', ms(now))
        .where((eb) => (actual === undefined ? eb.lit(true) : eb('amount', '>=', actual)))
        .returningAll()
        .executeTakeFirst();
      if (row) await settleUsage(trx, Number(row.period_id), row.agent_id, row.amount, row.committed_amount ?? 0n);
      return row;
    });
    return settled ? { kind: 'settled', reservation: toReservation(settled) } : this.whyNotSettled(reservationId, now);
  }

  /**
   * Locks the state row (PostgreSQL: `FOR UPDATE`, so every decision of every
   * instance queues here; SQLite: the store's single connection already runs
   * one transaction at a time) and rolls the period over if it has ended.
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
      .updateTable('policy_state')
      .set({ period_id: BigInt(id) })
      .where('id', '=', STATE_ID)
      .execute();
    return { id, startedAt: start, endsAt: end };
  }

  private async readPeriod(db: Db): Promise<PeriodRecord> {
    const row = await db
      .selectFrom('policy_state')
      .innerJoin('policy_periods', 'policy_periods.id', 'policy_state.period_id')
      .select(['policy_periods.id', 'policy_periods.started_at', 'policy_periods.ends_at'])
      .where('policy_state.id', '=', STATE_ID)
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), startedAt: toDate(row.started_at), endsAt: toDate(row.ends_at) };
  }

  private async readSnapshot(db: Db, period: PeriodRecord, agentId: string | undefined): Promise<PolicySnapshot> {
    const agentRow =
      agentId === undefined ? undefined : await db.selectFrom('policy_agents').selectAll().where('id', '=', agentId).executeTakeFirst();
    const usage = await db
      .selectFrom('policy_usage')
      .select(['agent_id', 'spent', 'reserved'])
      .where('period_id', '=', BigInt(period.id))
      .execute();
    return {
      period,
      agentState: agentRow ? toAgentState(agentRow) : undefined,
      usage: usage.map((u) => ({ agentId: u.agent_id, spent: u.spent, reserved: u.reserved })),
    };
  }

  private async whyNotSettled(reservationId: string, now: Date): Promise<SettleOutcome> {
    const row = await this.db.selectFrom('policy_reservations').selectAll().where('id', '=', reservationId).executeTakeFirst();
    if (!row) return { kind: 'not_found' };
    const reservation = toReservation(row);
    switch (reservation.status) {
      case 'COMMITTED':
      case 'RELEASED':
        return { kind: 'already_settled', reservation };
      case 'EXPIRED':
        return { kind: 'expired', reservation };
      case 'HELD':
        return reservation.expiresAt <= now ? { kind: 'expired', reservation } : { kind: 'exceeds_hold', reservation };
    }
  }

  /** A stored decision's hold expiry lives on its reservation. */
  private async withExpiry(db: Db, decision: DecisionRecord): Promise<DecisionRecord> {
    if (decision.reservationId === null) return decision;
    const row = await db.selectFrom('policy_reservations').select('expires_at').where('id', '=', decision.reservationId).executeTakeFirst();
    return { ...decision, expiresAt: row ? toDate(row.expires_at) : null };
  }

  private async ensureAgentRow(trx: Transaction<PolicyTables>, agentId: string, now: Date): Promise<void> {
    await trx
      .insertInto('policy_agents')
      .values({ id: agentId, daily_budget: null, max_per_call: null, paused: 0n, updated_at: ms(now) })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}
