import { z } from 'zod';
import { EventId, EventText, Page, ResourceId, Timestamp } from './ids';
import { AgentEvent, AlertEvent, ApprovalEvent } from './live-events';
import { Money } from './money';
import { PaymentId, TxHash } from './payment';
import { DecisionAction, ReasonCode } from './policy';

/** Statuses the audit trail records for a payment (PENDING is not an outcome). */
export const TransactionStatus = z.enum(['SUCCESS', 'FAILED', 'MOCK', 'REFUNDED']);
export type TransactionStatus = z.infer<typeof TransactionStatus>;

/** A policy decision, as the gateway saw it. */
export const DecisionEvent = z.strictObject({
  id: EventId,
  kind: z.literal('decision'),
  occurredAt: Timestamp,
  agentId: ResourceId,
  serviceId: ResourceId,
  action: DecisionAction,
  reason: ReasonCode,
  message: EventText(500),
  variant: ResourceId.nullable(),
  amount: Money.nullable(),
  decisionId: EventText(100).min(1),
  reservationId: EventText(100).min(1).nullable(),
});
export type DecisionEvent = z.infer<typeof DecisionEvent>;

/** A payment outcome: one event per status a payment reaches (a refunded payment has SUCCESS, then REFUNDED). */
export const TransactionEvent = z.strictObject({
  id: EventId,
  kind: z.literal('transaction'),
  occurredAt: Timestamp,
  agentId: ResourceId,
  serviceId: ResourceId,
  status: TransactionStatus,
  amount: Money,
  paymentId: PaymentId.nullable(),
  decisionId: EventText(100).min(1).nullable(),
  txHash: TxHash.nullable(),
  /** failure code, or refund reason code */
  reason: EventText(100).nullable(),
  message: EventText(500).nullable(),
});
export type TransactionEvent = z.infer<typeof TransactionEvent>;

/** Anything the audit trail stores: decisions and payments, and the live-operations kinds (alerts, approvals, agent changes). */
export const LogEvent = z.discriminatedUnion('kind', [DecisionEvent, TransactionEvent, AlertEvent, ApprovalEvent, AgentEvent]);
export type LogEvent = z.infer<typeof LogEvent>;

/** `POST /events`: one or more events, stored once each by id. */
export const LogEventBatch = z.strictObject({ events: z.array(LogEvent).min(1).max(500) });
export type LogEventBatch = z.infer<typeof LogEventBatch>;

export const LogEventAck = z.object({
  /** newly stored */
  accepted: z.number().int(),
  /** already stored under the same id with the same content */
  duplicates: z.number().int(),
});
export type LogEventAck = z.infer<typeof LogEventAck>;

/** An event as stored: what was sent, plus when the logger recorded it. */
export const LoggedEvent = z.discriminatedUnion('kind', [
  DecisionEvent.extend({ recordedAt: Timestamp }),
  TransactionEvent.extend({ recordedAt: Timestamp }),
]);
export type LoggedEvent = z.infer<typeof LoggedEvent>;

/** `GET /events/:id`. */
export const EventIdParams = z.strictObject({ id: EventId });
export type EventIdParams = z.infer<typeof EventIdParams>;

export const LoggedEventList = Page(LoggedEvent);
export type LoggedEventList = z.infer<typeof LoggedEventList>;

/** `GET /events`, newest first. `action` implies decisions and `status` transactions. */
export const LogQuery = z.strictObject({
  kind: z.enum(['decision', 'transaction']).optional(),
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
  action: DecisionAction.optional(),
  status: TransactionStatus.optional(),
  /** inclusive, on occurredAt */
  from: Timestamp.optional(),
  /** exclusive, on occurredAt */
  to: Timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type LogQuery = z.infer<typeof LogQuery>;

export const StatsQuery = LogQuery.pick({ agentId: true, serviceId: true, from: true, to: true });
export type StatsQuery = z.infer<typeof StatsQuery>;

/**
 * A sum of money: any number of integer digits (totals outgrow a single
 * amount's bound), and negative when a window holds more refunds than the
 * payments they undo ("-0.05").
 */
export const NetMoney = z.string().regex(/^-?(0|[1-9]\d*)(\.\d{1,6})?$/, 'must be a decimal string of MNEE such as "0.05" or "-0.05"');
export type NetMoney = z.infer<typeof NetMoney>;

/**
 * `GET /stats`. Spend and revenue are SUCCESS + MOCK less REFUNDED; `total`
 * counts payment attempts (SUCCESS, MOCK, FAILED), `refunded` the refunds.
 */
export const LogStats = z.object({
  transactions: z.object({
    total: z.number().int(),
    successful: z.number().int(),
    failed: z.number().int(),
    refunded: z.number().int(),
    byStatus: z.record(TransactionStatus, z.number().int()),
  }),
  policy: z.object({
    total: z.number().int(),
    allowed: z.number().int(),
    rejected: z.number().int(),
    downgraded: z.number().int(),
    /** decisions that waited for an operator's approval (PENDING_APPROVAL) */
    pendingApproval: z.number().int(),
  }),
  totalSpent: NetMoney,
  spendByAgent: z.record(z.string(), NetMoney),
  revenueByService: z.record(z.string(), NetMoney),
});
export type LogStats = z.infer<typeof LogStats>;

/** `GET /stats/history` buckets: a UTC hour or a UTC day. */
export const HistoryBucket = z.enum(['hour', 'day']);
export type HistoryBucket = z.infer<typeof HistoryBucket>;

export const HISTORY_BUCKET_MS: Record<HistoryBucket, number> = { hour: 3_600_000, day: 86_400_000 };
/** The longest window a history may span: 31 days of hours, 400 days of days (a bounded answer). */
export const HISTORY_MAX_SPAN_MS: Record<HistoryBucket, number> = { hour: 31 * 86_400_000, day: 400 * 86_400_000 };
/** The window when `from` is not given: the last day of hours, the last 30 days of days. */
export const HISTORY_DEFAULT_SPAN_MS: Record<HistoryBucket, number> = { hour: 86_400_000, day: 30 * 86_400_000 };

/** `GET /stats/history`: spend, calls and refunds per bucket of [from, to); `to` defaults to now, `from` to a default span before it. */
export const HistoryQuery = z.strictObject({
  bucket: HistoryBucket.default('day'),
  /** inclusive, on occurredAt */
  from: Timestamp.optional(),
  /** exclusive, on occurredAt */
  to: Timestamp.optional(),
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export type HistoryWindow = { ok: true; from: Date; to: Date } | { ok: false; path: 'query.from' | 'query.to'; message: string };

/** Fills in the window's defaults and checks it is not empty and not longer than its bucket allows. */
export function historyWindow(query: Pick<HistoryQuery, 'bucket' | 'from' | 'to'>, now: Date): HistoryWindow {
  const to = query.to === undefined ? now : new Date(query.to);
  const from = query.from === undefined ? new Date(to.getTime() - HISTORY_DEFAULT_SPAN_MS[query.bucket]) : new Date(query.from);
  if (from.getTime() >= to.getTime()) return { ok: false, path: 'query.from', message: 'must be before to' };
  const maxDays = HISTORY_MAX_SPAN_MS[query.bucket] / 86_400_000;
  if (to.getTime() - from.getTime() > HISTORY_MAX_SPAN_MS[query.bucket])
    return { ok: false, path: 'query.to', message: `a history by ${query.bucket} spans at most ${maxDays} days` };
  return { ok: true, from, to };
}

/**
 * One bucket's figures. `calls`: policy decisions (every paid call has one,
 * rejected or not); `payments`: SUCCESS + MOCK; `refunds` and `refunded`: the
 * REFUNDED events and their amount; `spent`: SUCCESS + MOCK less REFUNDED, as
 * in `/stats` (negative when a bucket holds a refund of an earlier payment).
 */
export const HistoryFigures = z.object({
  calls: z.number().int(),
  rejected: z.number().int(),
  payments: z.number().int(),
  refunds: z.number().int(),
  spent: NetMoney,
  refunded: NetMoney,
});
export type HistoryFigures = z.infer<typeof HistoryFigures>;

export const HistoryPoint = HistoryFigures.extend({
  /** the bucket's first instant (a UTC hour or midnight) */
  start: Timestamp,
  byAgent: z.record(z.string(), HistoryFigures),
  byService: z.record(z.string(), HistoryFigures),
});
export type HistoryPoint = z.infer<typeof HistoryPoint>;

/** `GET /stats/history`: oldest bucket first; buckets without any event are left out. */
export const SpendHistory = z.object({
  bucket: HistoryBucket,
  from: Timestamp,
  to: Timestamp,
  totals: HistoryFigures,
  buckets: z.array(HistoryPoint),
});
export type SpendHistory = z.infer<typeof SpendHistory>;
