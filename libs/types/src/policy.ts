import { z } from 'zod';
import { ErrorCode } from './errors';
import { IdempotencyKey, Page, ResourceId, Timestamp } from './ids';
import { Money } from './money';
import { PositiveMoney } from './payment';

export const Priority = z.enum(['HIGH', 'MEDIUM', 'LOW']);
export type Priority = z.infer<typeof Priority>;

/** PENDING_APPROVAL: granted by the rules but above the agent's approval threshold; the amount is held until an operator answers. */
export const DecisionAction = z.enum(['ALLOWED', 'DOWNGRADED', 'REJECTED', 'PENDING_APPROVAL']);
export type DecisionAction = z.infer<typeof DecisionAction>;

/** One stable code per policy rule outcome (docs/architecture.md §4, rules in order). */
export const ReasonCode = z.enum([
  // rule 1: who may call what
  'AGENT_UNKNOWN',
  'AGENT_PAUSED',
  'SERVICE_UNKNOWN',
  'VARIANT_UNKNOWN',
  'SERVICE_NOT_ALLOWED',
  // rule 1b: an x402 service's price, from its 402 answer, above the maxPrice of services.yaml
  'PRICE_ABOVE_MAX',
  // rule 2: per-call maximum
  'PER_CALL_LIMIT_DOWNGRADE',
  'PER_CALL_LIMIT_EXCEEDED',
  // rule 3: daily budget
  'DAILY_BUDGET_DOWNGRADE',
  'DAILY_BUDGET_EXCEEDED',
  // rule 3b: the weekly and monthly budget windows (calendar, policy.yaml period.timeZone)
  'WEEKLY_BUDGET_DOWNGRADE',
  'WEEKLY_BUDGET_EXCEEDED',
  'MONTHLY_BUDGET_DOWNGRADE',
  'MONTHLY_BUDGET_EXCEEDED',
  // rule 4: the treasury-wide daily limit (every agent), then the share of it reserved for HIGH agents
  'TREASURY_LIMIT_DOWNGRADE',
  'TREASURY_LIMIT_EXCEEDED',
  'PRIORITY_RESERVE_DOWNGRADE',
  'PRIORITY_RESERVE_EXCEEDED',
  // rule 5: budget pressure
  'BUDGET_PRESSURE_DOWNGRADE',
  // rule 6
  'WITHIN_POLICY',
  // after the rules: a granted call above the agent's approval threshold waits for an operator
  'APPROVAL_REQUIRED',
]);
export type ReasonCode = z.infer<typeof ReasonCode>;

/** The most bytes of JSON input an approval keeps for the call it resumes. */
export const MAX_APPROVAL_INPUT_BYTES = 64 * 1024;

export const ApprovalInput = z
  .record(z.string(), z.unknown())
  .refine((input) => Buffer.byteLength(JSON.stringify(input)) <= MAX_APPROVAL_INPUT_BYTES, {
    message: `must be at most ${MAX_APPROVAL_INPUT_BYTES} bytes of JSON`,
  });

export const DecideRequest = z.strictObject({
  agentId: ResourceId,
  serviceId: ResourceId,
  /** The variant asked for; the service's default when absent. */
  variant: ResourceId.optional(),
  /** The same key always gets the first answer and never a second hold. */
  idempotencyKey: IdempotencyKey,
  /**
   * The provider's input, kept on the approval when the call must wait for
   * one, so an approved call runs as it was asked (bounded: see ApprovalInput).
   */
  input: ApprovalInput.optional(),
  /**
   * An x402 service's price, read from its 402 answer: required for one, refused for any other service
   * (their prices are in services.yaml). Above the service's `maxPrice`, the call is REJECTED PRICE_ABOVE_MAX.
   */
  price: PositiveMoney.optional(),
});
export type DecideRequest = z.infer<typeof DecideRequest>;

export const SimulateRequest = DecideRequest.omit({ idempotencyKey: true, input: true });
export type SimulateRequest = z.infer<typeof SimulateRequest>;

/**
 * ApprovalStatus of live-events.ts, spelled again here: live-events.ts reaches
 * this file through logger.ts, so importing it would make a cycle. A spec
 * keeps the two lists equal.
 */
export const DecisionApprovalStatus = z.enum(['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'COMPLETED', 'FAILED']);

export const Decision = z.object({
  id: z.string(),
  action: DecisionAction,
  reason: ReasonCode,
  message: z.string(),
  agentId: z.string(),
  serviceId: z.string(),
  requestedVariant: z.string().nullable(),
  /** The variant granted (ALLOWED/DOWNGRADED) or refused (REJECTED); null when unknown. */
  variant: z.string().nullable(),
  /** Price of `variant`; null when unknown. */
  amount: Money.nullable(),
  reservationId: z.string().nullable(),
  expiresAt: Timestamp.nullable(),
  periodId: z.number().int(),
  /**
   * The hold as a compact JWS the policy signed (EdDSA): the payment service pays only this. Given with
   * the answer to `POST /decisions` (a replay too) when ALLOWED or DOWNGRADED; null when REJECTED, simulated,
   * or read back later (`GET /decisions`).
   */
  grant: z.string().nullable(),
  simulated: z.boolean(),
  /** True when this answer is the stored answer to an idempotency key seen before. */
  replayed: z.boolean(),
  createdAt: Timestamp,
  /** PENDING_APPROVAL: the approval the call waits for, as it stands now. */
  approval: z.object({ id: z.string(), status: DecisionApprovalStatus, expiresAt: Timestamp }).nullable().optional(),
});
export type Decision = z.infer<typeof Decision>;

export const ReservationStatus = z.enum(['HELD', 'COMMITTED', 'RELEASED', 'EXPIRED']);
export type ReservationStatus = z.infer<typeof ReservationStatus>;

export const Reservation = z.object({
  id: z.string(),
  decisionId: z.string(),
  agentId: z.string(),
  serviceId: z.string(),
  variant: z.string(),
  amount: Money,
  committedAmount: Money.nullable(),
  status: ReservationStatus,
  periodId: z.number().int(),
  expiresAt: Timestamp,
  createdAt: Timestamp,
  settledAt: Timestamp.nullable(),
  /** Why a released hold was released, as the caller said. */
  releaseReason: z.string().nullable(),
});
export type Reservation = z.infer<typeof Reservation>;

export const CommitRequest = z.strictObject({
  /** What was actually spent, at most the hold; the whole hold when absent. */
  amount: Money.optional(),
});
export type CommitRequest = z.infer<typeof CommitRequest>;

/** The most commits one batch may carry. */
export const MAX_COMMIT_BATCH = 100;

/** Several holds become spend at once: the gateway's durable commit queue, drained in one request. */
export const CommitBatchRequest = z.strictObject({
  commits: z
    .array(z.strictObject({ reservationId: z.string().min(1).max(100), amount: Money.optional() }))
    .min(1)
    .max(MAX_COMMIT_BATCH),
});
export type CommitBatchRequest = z.infer<typeof CommitBatchRequest>;

/** One answer per commit, in the request's order: the settled hold, or the error a single commit would have answered. */
export const CommitBatchResult = z.union([
  z.object({ reservationId: z.string(), reservation: Reservation }),
  z.object({ reservationId: z.string(), error: z.object({ code: ErrorCode, message: z.string() }) }),
]);
export type CommitBatchResult = z.infer<typeof CommitBatchResult>;

export const CommitBatchResponse = z.object({ results: z.array(CommitBatchResult) });
export type CommitBatchResponse = z.infer<typeof CommitBatchResponse>;

export const ReleaseRequest = z.strictObject({
  reason: z.string().min(1).max(200).optional(),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

/** One budget window of an agent, as it stands now: spend (committed) and live holds taken in it, and what is left. */
export const AgentWindow = z.object({
  // BudgetWindow's values (live-events.ts), spelled out here: importing it would make a cycle through logger.ts
  window: z.enum(['daily', 'weekly', 'monthly']),
  startsAt: Timestamp,
  endsAt: Timestamp,
  /** the daily window's budget includes the rollover carried from the previous period */
  budget: Money,
  spent: Money,
  reserved: Money,
  remaining: Money,
});
export type AgentWindow = z.infer<typeof AgentWindow>;

export const Agent = z.object({
  id: z.string(),
  name: z.string(),
  priority: Priority,
  dailyBudget: Money,
  /** null: no weekly (or monthly) window */
  weeklyBudget: Money.nullable(),
  monthlyBudget: Money.nullable(),
  maxPerCall: Money,
  spentToday: Money,
  reserved: Money,
  remaining: Money,
  paused: z.boolean(),
  allowedServices: z.array(z.string()),
  periodId: z.number().int(),
  /** daily always, then weekly and monthly when the agent has them */
  windows: z.array(AgentWindow),
  /** A granted call above this waits for an operator's approval; null: never. */
  approvalAbove: Money.nullable(),
  /** Per-service thresholds that replace `approvalAbove` for those services. */
  approvalAboveByService: z.record(z.string(), Money),
});
export type Agent = z.infer<typeof Agent>;

export const AgentList = Page(Agent);
export type AgentList = z.infer<typeof AgentList>;

export const BudgetUpdate = z
  .strictObject({
    dailyBudget: Money.optional(),
    maxPerCall: Money.optional(),
    /** a money string sets the window's budget; null removes the window (back to none, whatever agents.yaml says) */
    weeklyBudget: Money.nullable().optional(),
    monthlyBudget: Money.nullable().optional(),
    /** Replaces the agent's approval thresholds (its configured ones per service too); null turns approval off. */
    approvalAbove: Money.nullable().optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'give at least one of dailyBudget, maxPerCall, weeklyBudget, monthlyBudget, approvalAbove',
  });
export type BudgetUpdate = z.infer<typeof BudgetUpdate>;

export const Period = z.object({
  id: z.number().int(),
  startedAt: Timestamp,
  endsAt: Timestamp,
});
export type Period = z.infer<typeof Period>;

export const ResetResponse = z.object({
  period: Period,
  previousPeriodId: z.number().int(),
});
export type ResetResponse = z.infer<typeof ResetResponse>;

export const AgentIdParams = z.strictObject({ id: ResourceId });
export type AgentIdParams = z.infer<typeof AgentIdParams>;

export const EntityIdParams = z.strictObject({ id: z.string().regex(/^[a-z]{3}_[0-9a-f]{32}$/, 'is not a valid id') });
export type EntityIdParams = z.infer<typeof EntityIdParams>;

/** `GET /decisions`: stored decisions, newest first (simulations are never stored). */
export const DecisionListQuery = z.strictObject({
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
  action: DecisionAction.optional(),
  periodId: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(200).optional(),
});
export type DecisionListQuery = z.infer<typeof DecisionListQuery>;

export const DecisionList = Page(Decision);
export type DecisionList = z.infer<typeof DecisionList>;

/** `GET /reservations`: holds, newest first. `status` is as stored: a HELD hold past its expiry reads HELD until it is swept. */
export const ReservationListQuery = z.strictObject({
  agentId: ResourceId.optional(),
  status: ReservationStatus.optional(),
  periodId: z.coerce.number().int().min(1).optional(),
  decisionId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(200).optional(),
});
export type ReservationListQuery = z.infer<typeof ReservationListQuery>;

export const ReservationList = Page(Reservation);
export type ReservationList = z.infer<typeof ReservationList>;
