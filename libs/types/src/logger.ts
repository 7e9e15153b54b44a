import { z } from 'zod';
import { EventId, Page, ResourceId, Timestamp } from './ids';
import { AgentEvent, AlertEvent, ApprovalEvent } from './live-events';
import { Money } from './money';
import { PaymentId, TxHash } from './payment';
import { DecisionAction, ReasonCode } from './policy';

const EventText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');

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
