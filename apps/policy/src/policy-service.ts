import type { KeyObject } from 'node:crypto';
import { signGrant, type LogOutbox } from '@nexus/clients';
import { AppError, conflict, newId, notFound, validationError, type Logger } from '@nexus/service-kit';
import { InvalidCursorError } from '@nexus/stores';
import type { AgentStateRecord, DecisionRecord, PolicySnapshot, PolicyStore, ReservationRecord, SettleOutcome } from '@nexus/stores';
import {
  fromBaseUnits,
  toBaseUnits,
  type Agent,
  type BudgetUpdate,
  type CommitBatchRequest,
  type CommitBatchResponse,
  type CommitBatchResult,
  type Decision,
  type DecisionList,
  type DecisionListQuery,
  type DecideRequest,
  type Period,
  type Reservation,
  type ReservationList,
  type ReservationListQuery,
  type ResetResponse,
  type SimulateRequest,
  type TreasuryLimit,
} from '@nexus/types';
import { PolicyApprovals } from './approvals';
import { BudgetAlerts } from './alerts/budget-alerts';
import { pricedX402Service, type CatalogService, type PolicyCatalog } from './catalog';
import type { PolicyMetrics } from './policy-metrics';
import { applyApprovalThreshold } from './rules/approval-threshold';
import { evaluate, type EffectiveAgent } from './rules/evaluate';
import { agentView, decisionView, periodView, reservationView, treasuryLimitView } from './views';

/** How long a hold whose payment may still land is kept at most; reconcile names one HELD this long as stuck. */
export const PINNED_HOLD_MS = 24 * 3_600_000;

export interface PolicyServiceDeps {
  store: PolicyStore;
  catalog: PolicyCatalog;
  clock?: () => Date;
  metrics: PolicyMetrics;
  /** The Ed25519 key each hold's grant is signed with (POLICY_GRANT_PRIVATE_KEY), imported once. */
  grantKey: KeyObject;
  /** the audit trail: the policy's alerts and approvals, through its durable outbox to the logger; none in tests that do not look */
  audit?: Pick<LogOutbox, 'record'>;
  /** where failed alert checks are told */
  logger?: Logger;
  /** The store serves this process alone (SQLite): the alerts may skip checks no commit can have made fire. */
  soleWriter?: boolean;
}

/** The policy's use cases: the HTTP routes call these, these call the rules and the store. */
export class PolicyService {
  private readonly store: PolicyStore;
  private readonly catalog: PolicyCatalog;
  private readonly clock: () => Date;
  private readonly metrics: PolicyMetrics;
  private readonly grantKey: KeyObject;
  /** Calls above an approval threshold: their approvals, answers and holds. */
  readonly approvals: PolicyApprovals;
  private readonly alerts: BudgetAlerts;

  constructor(deps: PolicyServiceDeps) {
    this.grantKey = deps.grantKey;
    this.store = deps.store;
    this.catalog = deps.catalog;
    this.clock = deps.clock ?? (() => new Date());
    this.metrics = deps.metrics;
    this.approvals = new PolicyApprovals({
      store: deps.store,
      grantKey: deps.grantKey,
      clock: this.clock,
      holdTtlMs: deps.catalog.holdTtlMs,
      ...(deps.audit ? { audit: deps.audit } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
    this.alerts = new BudgetAlerts({
      audit: deps.audit,
      agentOf: (agentId) => this.getAgent(agentId),
      thresholdsOf: (agentId) => this.catalog.agents.get(agentId)?.alertThresholds ?? [],
      countRejections: (agentId, since) => this.store.countDecisions({ agentId, action: 'REJECTED', since }),
      rejectionSpike: this.catalog.rejectionSpike,
      clock: this.clock,
      logger: deps.logger,
      soleWriter: deps.soleWriter ?? false,
    });
  }

  /** Decides and, unless rejected, holds the amount; the same idempotency key gets the first answer. */
  async decide(request: DecideRequest): Promise<Decision> {
    this.checkPrice(request);
    const outcome = await this.store.decide(
      {
        decisionId: newId('dec'),
        reservationId: newId('res'),
        idempotencyKey: request.idempotencyKey,
        agentId: request.agentId,
        serviceId: request.serviceId,
        requestedVariant: request.variant ?? null,
        now: this.clock(),
        holdTtlMs: this.catalog.holdTtlMs,
      },
      (snapshot) => this.verdict(request, snapshot),
    );
    switch (outcome.kind) {
      case 'decided':
      case 'replayed': {
        // A replay gets its hold's grant again: signing is deterministic, so it is the same token.
        const grant = await this.grantOf(outcome.decision);
        const decision = decisionView(outcome.decision, { simulated: false, replayed: outcome.kind === 'replayed', grant });
        this.metrics.decided(decision);
        // Only a new refusal counts toward a rejection spike; an allowed call costs the alerts nothing.
        if (outcome.kind === 'decided' && decision.action === 'REJECTED') this.alerts.afterRejection(decision.agentId);
        if (outcome.decision.action !== 'PENDING_APPROVAL') return decision;
        // The same key replays the same decision, and so finds the same approval, never a second one.
        const approval = await this.approvals.ensure(outcome.decision, request.input);
        return { ...decision, approval: { id: approval.id, status: approval.status, expiresAt: approval.expiresAt.toISOString() } };
      }
      case 'contended':
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          `too many concurrent decisions for ${request.agentId} took the budget this one needed; nothing was reserved, retry`,
        );
      case 'key_reused':
        throw conflict(
          'IDEMPOTENCY_KEY_REUSED',
          `idempotency key was already used by ${outcome.decision.agentId} for ${outcome.decision.serviceId}${outcome.decision.requestedVariant ? ` ${outcome.decision.requestedVariant}` : ''}`,
        );
    }
  }

  /** The same answer decide would give now, with nothing reserved or stored. */
  async simulate(request: SimulateRequest): Promise<Decision> {
    this.checkPrice(request);
    const now = this.clock();
    const snapshot = await this.store.snapshot(request.agentId, now);
    const v = this.verdict(request, snapshot);
    return decisionView(
      {
        id: newId('sim'),
        idempotencyKey: '',
        agentId: request.agentId,
        serviceId: request.serviceId,
        requestedVariant: request.variant ?? null,
        ...v,
        reservationId: null,
        expiresAt: null,
        periodId: snapshot.period.id,
        createdAt: now,
      },
      { simulated: true, replayed: false },
    );
  }

  async getDecision(id: string): Promise<Decision> {
    const record = await this.store.getDecision(id);
    if (!record) throw notFound('DECISION_NOT_FOUND', `no decision ${id}`);
    const decision = decisionView(record, { simulated: false, replayed: false });
    return record.action === 'PENDING_APPROVAL' ? { ...decision, approval: await this.approvals.summaryOfDecision(record) } : decision;
  }

  async getReservation(id: string): Promise<Reservation> {
    const record = await this.store.getReservation(id);
    if (!record) throw notFound('RESERVATION_NOT_FOUND', `no reservation ${id}`);
    return reservationView(record);
  }

  /** The hold becomes spend: the actual amount (at most the hold), or the whole hold. */
  async commit(id: string, amount: string | undefined): Promise<Reservation> {
    const reservation = await this.commitOne(id, amount);
    if (reservation.status === 'COMMITTED') this.alerts.afterSpend(reservation.agentId, reservation.committedAmount ?? reservation.amount);
    return reservation;
  }

  /** Resolves when the alert checks scheduled so far have run (before the outbox closes). */
  flushAlerts(): Promise<void> {
    return this.alerts.flush();
  }

  private async commitOne(id: string, amount: string | undefined): Promise<Reservation> {
    const actual = amount === undefined ? undefined : toBaseUnits(amount);
    const outcome = await this.store.commit(id, actual, this.clock());
    // The same commit again (the gateway and the payment service both report a payment that moved): the same answer.
    if (outcome.kind === 'already_settled' && outcome.reservation.status === 'COMMITTED') {
      const committed = outcome.reservation.committedAmount ?? outcome.reservation.amount;
      if (actual === undefined || actual === committed) return this.settledView(outcome.reservation);
    }
    return this.settledView(settled(outcome, id, 'commit'));
  }

  /**
   * Several commits in one request (the gateway's commit queue): each is
   * what `commit` would do alone, in order; a commit the policy refuses
   * (an error of the API: unknown, expired, already released, above the
   * hold) is answered in its place and the others go on. Anything else (the
   * store failing) fails the whole request, so the caller tries it again.
   */
  async commitMany(commits: CommitBatchRequest['commits']): Promise<CommitBatchResponse> {
    const results: CommitBatchResult[] = [];
    for (const { reservationId, amount } of commits) {
      try {
        // One alert check per agent after the batch, not one per commit (the checks coalesce per agent).
        results.push({ reservationId, reservation: await this.commit(reservationId, amount) });
      } catch (error: unknown) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        results.push({ reservationId, error: { code: error.code, message: error.message } });
      }
    }
    return { results };
  }

  /**
   * The payment of this hold may have been sent and its end is not known yet
   * (the payment service says so): the hold is kept, counted against the budget,
   * until the payment service commits or releases it, past its own expiry.
   * A hold already settled (or swept) is answered as it is.
   */
  async pin(id: string): Promise<Reservation> {
    const pinned = await this.store.pin(id, new Date(this.clock().getTime() + PINNED_HOLD_MS));
    return pinned ? reservationView(pinned) : this.getReservation(id);
  }

  /** The hold is dropped: nothing is charged. The reason stays on record. */
  async release(id: string, reason: string | undefined): Promise<Reservation> {
    const outcome = await this.store.release(id, this.clock(), reason ?? null);
    // Nothing left to free: an expired hold already left the budget, a released one is released.
    if (outcome.kind === 'expired') return this.settledView(outcome.reservation);
    if (outcome.kind === 'already_settled' && outcome.reservation.status === 'RELEASED') return this.settledView(outcome.reservation);
    return this.settledView(settled(outcome, id, 'release'));
  }

  async listAgents(): Promise<Agent[]> {
    const now = this.clock();
    // Expired holds leave the totals first, as before; then each agent's snapshot gives its period and its windows.
    await this.store.sweepExpired(now);
    return Promise.all([...this.catalog.agents.keys()].map(async (id) => this.agentFrom(id, await this.store.snapshot(id, now))));
  }

  async getAgent(id: string): Promise<Agent> {
    this.requireAgent(id);
    return this.agentFrom(id, await this.store.snapshot(id, this.clock()));
  }

  async updateBudget(id: string, update: BudgetUpdate): Promise<Agent> {
    this.requireAgent(id);
    const windowUnits = (value: string | null | undefined) => (value === undefined || value === null ? value : toBaseUnits(value));
    if (this.catalog.periodLength !== 'daily' && (update.weeklyBudget || update.monthlyBudget)) {
      throw validationError('invalid request body', [
        {
          path: update.weeklyBudget ? 'body.weeklyBudget' : 'body.monthlyBudget',
          message: `weekly and monthly windows need policy.yaml period.length daily (it is ${this.catalog.periodLength})`,
        },
      ]);
    }
    await this.store.setBudget(
      id,
      {
        ...(update.dailyBudget !== undefined ? { dailyBudget: toBaseUnits(update.dailyBudget) } : {}),
        ...(update.maxPerCall !== undefined ? { maxPerCall: toBaseUnits(update.maxPerCall) } : {}),
        ...(update.weeklyBudget !== undefined ? { weeklyBudget: windowUnits(update.weeklyBudget) } : {}),
        ...(update.monthlyBudget !== undefined ? { monthlyBudget: windowUnits(update.monthlyBudget) } : {}),
        ...(update.approvalAbove !== undefined
          ? { approvalAbove: update.approvalAbove === null ? null : toBaseUnits(update.approvalAbove) }
          : {}),
      },
      this.clock(),
    );
    // New budgets move the thresholds: the agent's next commit is checked.
    this.alerts.forget(id);
    return this.getAgent(id);
  }

  async setPaused(id: string, state: { paused: boolean }): Promise<Agent> {
    this.requireAgent(id);
    await this.store.setPaused(id, state, this.clock());
    return this.getAgent(id);
  }

  async currentPeriod(): Promise<Period> {
    return periodView(await this.store.currentPeriod(this.clock()));
  }

  /** The treasury's spend and holds in this period against its daily limit, and what is left of the HIGH reserve. */
  async treasuryStanding(): Promise<TreasuryLimit> {
    return treasuryLimitView(await this.store.treasury(this.clock()), this.catalog.treasury);
  }

  /** Starts a new budget period now; holds taken before settle against their own period. */
  async reset(): Promise<ResetResponse> {
    const { period, previous } = await this.store.resetPeriod(this.clock());
    // New windows (and the rollover's new budgets): every agent's next commit is checked.
    this.alerts.forget();
    return { period: periodView(period), previousPeriodId: previous.id };
  }

  /** Expires overdue approvals (releasing their holds) and holds, and rolls the period at its boundary even when no call comes in. */
  async housekeeping(): Promise<{ expired: number; approvalsExpired: number; periodId: number }> {
    const approvalsExpired = await this.approvals.expireOverdue();
    await this.approvals.releaseClosedHolds();
    const now = this.clock();
    const expired = await this.store.sweepExpired(now);
    if (expired > 0) this.metrics.settled('EXPIRED', expired);
    const period = await this.store.currentPeriod(now);
    return { expired, approvalsExpired, periodId: period.id };
  }

  /** Stored decisions, newest first (read only: for audits and reconciliation). */
  async listDecisions(query: DecisionListQuery): Promise<DecisionList> {
    const page = await listed(() => this.store.listDecisions(query));
    return { items: page.items.map((record) => decisionView(record, { simulated: false, replayed: false })), nextCursor: page.nextCursor };
  }

  /** Holds with their status as stored, newest first (read only: nothing is swept). */
  async listReservations(query: ReservationListQuery): Promise<ReservationList> {
    const page = await listed(() => this.store.listReservations(query));
    return { items: page.items.map(reservationView), nextCursor: page.nextCursor };
  }

  /** The signed hold of a decision that holds money; null for a rejection. */
  private async grantOf(record: DecisionRecord): Promise<string | null> {
    const { action, reservationId, variant, amount, expiresAt } = record;
    // A call waiting for approval has a hold but no grant yet: approve signs it.
    if (
      action === 'REJECTED' ||
      action === 'PENDING_APPROVAL' ||
      reservationId === null ||
      variant === null ||
      amount === null ||
      expiresAt === null
    )
      return null;
    return signGrant(
      {
        decisionId: record.id,
        reservationId,
        agentId: record.agentId,
        serviceId: record.serviceId,
        variant,
        amount: fromBaseUnits(amount),
        expiresAt,
      },
      this.grantKey,
    );
  }

  private settledView(record: ReservationRecord): Reservation {
    this.metrics.settled(record.status);
    return reservationView(record);
  }

  private verdict(request: SimulateRequest, snapshot: PolicySnapshot) {
    const agent = this.effectiveAgent(request.agentId, snapshot);
    const verdict = evaluate({
      agentId: request.agentId,
      serviceId: request.serviceId,
      requestedVariant: request.variant ?? null,
      agent,
      service: this.serviceOf(request),
      standing: snapshot.standing,
      windows: snapshot.windows,
      treasury: this.catalog.treasury,
    });
    return applyApprovalThreshold(verdict, agent, request.serviceId, this.catalog.approvalTtlMs);
  }

  /** The service as the rules see it: an x402 service priced by the call's `price` (checked by priceProblem first). */
  private serviceOf(request: SimulateRequest): CatalogService | undefined {
    const x402 = this.catalog.x402Services.get(request.serviceId);
    if (x402 && request.price !== undefined) return pricedX402Service(x402, toBaseUnits(request.price));
    return this.catalog.services.get(request.serviceId);
  }

  /** An x402 service is priced by the call (its 402 answer); any other by services.yaml, so a price there is a mistake. */
  private checkPrice(request: SimulateRequest): void {
    const x402 = this.catalog.x402Services.has(request.serviceId);
    if (x402 && request.price === undefined)
      throw validationError('invalid request body', [
        { path: 'body.price', message: `is required for ${request.serviceId}, an x402 service: the price its 402 answer asks` },
      ]);
    if (!x402 && request.price !== undefined)
      throw validationError('invalid request body', [
        { path: 'body.price', message: `is only for x402 services; ${request.serviceId} is priced by services.yaml` },
      ]);
  }

  private effectiveAgent(id: string, snapshot: PolicySnapshot): EffectiveAgent | undefined {
    const configured = this.catalog.agents.get(id);
    if (!configured) return undefined;
    const state: AgentStateRecord | undefined = snapshot.agentState;
    const dailyBudget = state?.dailyBudget ?? configured.dailyBudget;
    return {
      ...configured,
      dailyBudget,
      // undefined: as configured; null: the operator removed the window
      weeklyBudget: state?.weeklyBudget === undefined ? configured.weeklyBudget : state.weeklyBudget,
      monthlyBudget: state?.monthlyBudget === undefined ? configured.monthlyBudget : state.monthlyBudget,
      maxPerCall: state?.maxPerCall ?? configured.maxPerCall,
      paused: state?.paused ?? false,
      carry: carryInto(snapshot, dailyBudget, configured.maxCarry),
      ...(state?.approvalAbove ? { approvalOverride: state.approvalAbove.amount } : {}),
    };
  }

  private agentFrom(id: string, snapshot: PolicySnapshot): Agent {
    const agent = this.effectiveAgent(id, snapshot);
    if (!agent) throw notFound('AGENT_NOT_FOUND', `no agent ${id}`);
    return agentView(agent, snapshot);
  }

  private requireAgent(id: string): void {
    if (!this.catalog.agents.has(id)) throw notFound('AGENT_NOT_FOUND', `no agent ${id}`);
  }
}

/**
 * Rollover: what the previous period left of the daily budget, at most
 * `maxCarry` (null: no rollover). A gap between the periods (nobody called
 * for a day or more) means a whole day went unused.
 */
export function carryInto(snapshot: PolicySnapshot, dailyBudget: bigint, maxCarry: bigint | null): bigint {
  const previous = snapshot.windows.previousPeriod;
  if (maxCarry === null || previous === null) return 0n;
  const unused = previous.endsAt < snapshot.period.startedAt ? dailyBudget : dailyBudget - previous.used;
  if (unused <= 0n) return 0n;
  return unused < maxCarry ? unused : maxCarry;
}

/** Turns a settle outcome into the reservation, or the error that says why not. */
function settled(outcome: SettleOutcome, id: string, verb: 'commit' | 'release'): ReservationRecord {
  switch (outcome.kind) {
    case 'settled':
      return outcome.reservation;
    case 'not_found':
      throw notFound('RESERVATION_NOT_FOUND', `no reservation ${id}`);
    case 'expired':
      throw conflict(
        'RESERVATION_EXPIRED',
        `cannot ${verb} reservation ${id}: its hold expired at ${outcome.reservation.expiresAt.toISOString()}`,
      );
    case 'already_settled':
      throw conflict('RESERVATION_ALREADY_SETTLED', `cannot ${verb} reservation ${id}: it is already ${outcome.reservation.status}`);
    case 'exceeds_hold':
      throw new AppError(
        'COMMIT_EXCEEDS_HOLD',
        `cannot commit more than the ${fromBaseUnits(outcome.reservation.amount)} MNEE held by ${id}`,
      );
  }
}

/** A page of a list; a cursor the store did not issue is the caller's mistake (400). */
async function listed<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error: unknown) {
    if (error instanceof InvalidCursorError)
      throw validationError('invalid request query', [{ path: 'query.cursor', message: error.message }], { cause: error });
    throw error;
  }
}
