import type { DecisionAction, ReasonCode, ReservationStatus } from '@nexus/types';
import type { ApprovalStore } from './approval-records';

export interface PeriodRecord {
  id: number;
  startedAt: Date;
  endsAt: Date;
}

/** What the store keeps of an agent: admin overrides and the pause flag. The rest is configuration. */
export interface AgentStateRecord {
  id: string;
  dailyBudget: bigint | null;
  maxPerCall: bigint | null;
  /** Overrides of the weekly and monthly windows: undefined "as configured", null "no window". */
  weeklyBudget?: bigint | null;
  monthlyBudget?: bigint | null;
  paused: boolean;
  /** The admin's approval threshold, set through the API: `amount` null means none. Absent: as configured. */
  approvalAbove?: { amount: bigint | null };
}

/** Committed spend and live holds of one agent in one period, in base units. */
export interface UsageRecord {
  agentId: string;
  spent: bigint;
  reserved: bigint;
}

export interface DecisionRecord {
  id: string;
  idempotencyKey: string;
  agentId: string;
  serviceId: string;
  requestedVariant: string | null;
  action: DecisionAction;
  reason: ReasonCode;
  message: string;
  variant: string | null;
  amount: bigint | null;
  reservationId: string | null;
  expiresAt: Date | null;
  periodId: number;
  createdAt: Date;
}

export interface ReservationRecord {
  id: string;
  decisionId: string;
  agentId: string;
  serviceId: string;
  variant: string;
  amount: bigint;
  committedAmount: bigint | null;
  /** Counts as HIGH-priority use of the treasury. */
  high: boolean;
  status: ReservationStatus;
  periodId: number;
  expiresAt: Date;
  createdAt: Date;
  settledAt: Date | null;
  releaseReason: string | null;
}

/** Spend and live holds in a period, as running totals. */
export interface Standing {
  /** This agent's committed spend and live holds. */
  agentSpent: bigint;
  agentReserved: bigint;
  /** Treasury-wide spend + holds of every agent, and the part of it by HIGH agents. */
  treasuryUsed: bigint;
  highUsed: bigint;
}

/** The treasury's committed spend and live holds in the current period, and the part of both by HIGH agents. */
export interface TreasuryStanding {
  period: PeriodRecord;
  spent: bigint;
  reserved: bigint;
  highUsed: bigint;
}

/** An agent's spend and live holds in one calendar window: the periods that started in it, the current one included. */
export interface WindowUse {
  start: Date;
  end: Date;
  spent: bigint;
  reserved: bigint;
}

/** The agent's weekly and monthly windows, and what it used of the period before the current one (for rollover). */
export interface WindowStanding {
  weekly: WindowUse;
  monthly: WindowUse;
  /** null when the current period is the first */
  previousPeriod: { used: bigint; endsAt: Date } | null;
}

/** Everything a decision reads, in one query. */
export interface PolicySnapshot {
  period: PeriodRecord;
  agentState: AgentStateRecord | undefined;
  standing: Standing;
  windows: WindowStanding;
}

/**
 * The limits a hold must still fit when it is written. The rules chose the
 * verdict from a snapshot; these are checked again by the statements that
 * take the hold, so concurrent decisions can never pass them together.
 */
export interface HoldLimits {
  /** The agent's spend + holds may not pass its budget. */
  agentBudget: bigint;
  /** The hold counts as HIGH-priority use of the treasury. */
  high: boolean;
  /** Every agent: treasury-wide use (spend + holds) may not pass the treasury's daily limit. */
  treasuryLimit: bigint;
  /**
   * Restricted priorities only: treasury-wide use may not pass the daily
   * limit less the part of the HIGH reserve that HIGH agents have not used.
   */
  reserve: { dailyLimit: bigint; highReserve: bigint } | null;
  /** The agent's spend + holds in each calendar window it has may not pass the window's budget. */
  weekly: WindowLimit | null;
  monthly: WindowLimit | null;
}

/** A calendar window's budget: the periods started at or after `since` count in it. */
export interface WindowLimit {
  since: Date;
  budget: bigint;
}

/** The policy's answer, computed from a snapshot by the caller's rules. */
export interface Verdict {
  action: DecisionAction;
  reason: ReasonCode;
  message: string;
  variant: string | null;
  amount: bigint | null;
  /** Present when the verdict takes a hold (ALLOWED, DOWNGRADED, PENDING_APPROVAL). */
  limits: HoldLimits | null;
  /** How long the hold lives when not the command's `holdTtlMs` (a hold waiting for approval lives as long as the approval). */
  holdTtlMs?: number;
}

export interface DecideCommand {
  decisionId: string;
  reservationId: string;
  idempotencyKey: string;
  agentId: string;
  serviceId: string;
  requestedVariant: string | null;
  now: Date;
  holdTtlMs: number;
}

export type DecideOutcome =
  | { kind: 'decided'; decision: DecisionRecord }
  /** The key was seen before with the same request: the first answer, nothing new reserved. */
  | { kind: 'replayed'; decision: DecisionRecord }
  /** The key was seen before with a different request. */
  | { kind: 'key_reused'; decision: DecisionRecord }
  /** Concurrent decisions kept taking what this one needed, attempt after attempt: nothing was stored. */
  | { kind: 'contended' };

export type SettleOutcome =
  | { kind: 'settled'; reservation: ReservationRecord }
  | { kind: 'not_found' }
  | { kind: 'expired'; reservation: ReservationRecord }
  | { kind: 'already_settled'; reservation: ReservationRecord }
  | { kind: 'exceeds_hold'; reservation: ReservationRecord };

export interface BudgetOverride {
  dailyBudget?: bigint;
  maxPerCall?: bigint;
  /** null: the agent has no such window, whatever agents.yaml says */
  weeklyBudget?: bigint | null;
  monthlyBudget?: bigint | null;
  /** null: no approval threshold, whatever the configuration says */
  approvalAbove?: bigint | null;
}

/** Start and end of the budget period that contains an instant. */
export type PeriodBounds = (instant: Date) => { start: Date; end: Date };

/** The budget period, and the calendar week and month, that contain an instant (one time zone). */
export interface PolicyCalendar {
  period: PeriodBounds;
  weekly: PeriodBounds;
  monthly: PeriodBounds;
}

export interface PolicyStore extends ApprovalStore {
  /**
   * Answers a known idempotency key from the record; else reads a snapshot,
   * asks `evaluate`, and stores the decision with its hold in one transaction
   * whose statements re-check the verdict's limits against the live totals.
   * When a concurrent decision got there first, it reads and evaluates again.
   */
  decide(command: DecideCommand, evaluate: (snapshot: PolicySnapshot) => Verdict): Promise<DecideOutcome>;
  /** The same snapshot, read without reserving anything (dry runs, agent views). */
  snapshot(agentId: string, now: Date): Promise<PolicySnapshot>;
  /** Every agent's spend and holds in the current period. */
  usage(now: Date): Promise<{ period: PeriodRecord; usage: UsageRecord[] }>;
  /** The treasury's spend and holds in the current period, holds past their expiry swept first. */
  treasury(now: Date): Promise<TreasuryStanding>;
  /**
   * HELD (even past its expiry) or EXPIRED → COMMITTED with the actual amount
   * (at most the hold; the hold when absent): money that moved is spend, however late the word comes.
   */
  commit(reservationId: string, amount: bigint | undefined, now: Date): Promise<SettleOutcome>;
  /** HELD → RELEASED: nothing is charged; the reason is kept. An EXPIRED hold answers `expired` (nothing left to free). */
  release(reservationId: string, now: Date, reason: string | null): Promise<SettleOutcome>;
  /**
   * A HELD hold (even past its expiry, if not swept yet) is kept until `until`:
   * its payment may still land, so the sweep must not free it. Undefined when
   * the hold is not HELD any more (or unknown): there is nothing to keep.
   */
  pin(reservationId: string, until: Date): Promise<ReservationRecord | undefined>;
  /** HELD past its expiry → EXPIRED; the number swept. */
  sweepExpired(now: Date): Promise<number>;
  getDecision(id: string): Promise<DecisionRecord | undefined>;
  /** How many decisions of the agent with this action were stored at or after `since` (the rejection-spike alert). */
  countDecisions(filter: { agentId: string; action: DecisionAction; since: Date }): Promise<number>;
  getReservation(id: string): Promise<ReservationRecord | undefined>;
  agentStates(): Promise<AgentStateRecord[]>;
  /** The current period, rolled over first if its end has passed. */
  currentPeriod(now: Date): Promise<PeriodRecord>;
  /** Starts a new period now (on demand); holds of the old one settle against it. */
  resetPeriod(now: Date): Promise<{ period: PeriodRecord; previous: PeriodRecord }>;
  setBudget(agentId: string, override: BudgetOverride, now: Date): Promise<void>;
  setPaused(agentId: string, state: { paused: boolean }, now: Date): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Stored decisions, newest first (by createdAt, then id); `nextCursor` is null on the last page. Throws InvalidCursorError. */
  listDecisions(filter: DecisionFilter): Promise<{ items: DecisionRecord[]; nextCursor: string | null }>;
  /** Holds with their status as stored, newest first (by createdAt, then id); `nextCursor` is null on the last page. Throws InvalidCursorError. */
  listReservations(filter: ReservationFilter): Promise<{ items: ReservationRecord[]; nextCursor: string | null }>;
}

export interface DecisionFilter {
  agentId?: string;
  serviceId?: string;
  action?: DecisionAction;
  periodId?: number;
  limit: number;
  /** from a previous page's `nextCursor` */
  cursor?: string;
}

export interface ReservationFilter {
  agentId?: string;
  status?: ReservationStatus;
  periodId?: number;
  decisionId?: string;
  limit: number;
  /** from a previous page's `nextCursor` */
  cursor?: string;
}
