import type { DecisionAction, ReasonCode, ReservationStatus } from '@nexus/types';

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
  paused: boolean;
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
  status: ReservationStatus;
  periodId: number;
  expiresAt: Date;
  createdAt: Date;
  settledAt: Date | null;
  releaseReason: string | null;
}

/** Everything a decision reads, taken inside the decision's transaction. */
export interface PolicySnapshot {
  period: PeriodRecord;
  agentState: AgentStateRecord | undefined;
  /** Usage of every agent with spend or holds in the period (the priority reserve is treasury-wide). */
  usage: UsageRecord[];
}

/** The policy's answer, computed from a snapshot by the caller's rules. */
export interface Verdict {
  action: DecisionAction;
  reason: ReasonCode;
  message: string;
  variant: string | null;
  amount: bigint | null;
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
  | { kind: 'key_reused'; decision: DecisionRecord };

export type SettleOutcome =
  | { kind: 'settled'; reservation: ReservationRecord }
  | { kind: 'not_found' }
  | { kind: 'expired'; reservation: ReservationRecord }
  | { kind: 'already_settled'; reservation: ReservationRecord }
  | { kind: 'exceeds_hold'; reservation: ReservationRecord };

export interface BudgetOverride {
  dailyBudget?: bigint;
  maxPerCall?: bigint;
}

/** Start and end of the budget period that contains an instant. */
export type PeriodBounds = (instant: Date) => { start: Date; end: Date };

export interface PolicyStore {
  /**
   * Atomically: roll the period if its end has passed, answer a known idempotency
   * key from the record, else read a snapshot, ask `evaluate`, and store the
   * decision with its hold. Concurrent calls never see each other's half-work.
   */
  decide(command: DecideCommand, evaluate: (snapshot: PolicySnapshot) => Verdict): Promise<DecideOutcome>;
  /** The same snapshot, read without reserving anything (dry runs, agent views). */
  snapshot(agentId: string | undefined, now: Date): Promise<PolicySnapshot>;
  /** HELD → COMMITTED with the actual amount (at most the hold; the hold when absent). */
  commit(reservationId: string, amount: bigint | undefined, now: Date): Promise<SettleOutcome>;
  /** HELD → RELEASED: nothing is charged; the reason is kept. */
  release(reservationId: string, now: Date, reason: string | null): Promise<SettleOutcome>;
  /** HELD past its expiry → EXPIRED; the number swept. */
  sweepExpired(now: Date): Promise<number>;
  getDecision(id: string): Promise<DecisionRecord | undefined>;
  getReservation(id: string): Promise<ReservationRecord | undefined>;
  agentStates(): Promise<AgentStateRecord[]>;
  /** The current period, rolled over first if its end has passed. */
  currentPeriod(now: Date): Promise<PeriodRecord>;
  /** Starts a new period now (on demand); holds of the old one settle against it. */
  resetPeriod(now: Date): Promise<{ period: PeriodRecord; previous: PeriodRecord }>;
  setBudget(agentId: string, override: BudgetOverride, now: Date): Promise<void>;
  setPaused(agentId: string, paused: boolean, now: Date): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
