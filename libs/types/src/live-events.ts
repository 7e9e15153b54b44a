import { z } from 'zod';
import { EventId, EventText, ResourceId, Timestamp } from './ids';
import { Money } from './money';

/**
 * Live operations (docs/api.md, "Live operations"): the audit trail's new
 * kinds of event, besides decisions and transactions. Each is sent to the
 * logger like the others (through the sender's outbox), stored once by its
 * id, streamed on `GET /events/stream` and delivered to webhooks.
 */

/** A budget window: every one an agent has must hold. */
export const BudgetWindow = z.enum(['daily', 'weekly', 'monthly']);
export type BudgetWindow = z.infer<typeof BudgetWindow>;

export const AlertType = z.enum(['budget_threshold', 'treasury_low', 'rejection_spike']);
export type AlertType = z.infer<typeof AlertType>;

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/**
 * An alert. Its id names what it is about, so it fires once: a budget
 * threshold once per agent, window start and threshold
 * (`alert:budget:user-agent:daily:2026-12-04T00:00:00.000Z:80`), and so on.
 */
export const AlertEvent = z.strictObject({
  id: EventId,
  kind: z.literal('alert'),
  occurredAt: Timestamp,
  alertType: AlertType,
  severity: AlertSeverity,
  agentId: ResourceId.nullable(),
  /** budget thresholds: the window crossed, when it started, the percent crossed, spent and budget */
  window: BudgetWindow.nullable(),
  windowStart: Timestamp.nullable(),
  thresholdPercent: z.number().int().min(1).max(1000).nullable(),
  spent: Money.nullable(),
  budget: Money.nullable(),
  /** treasury_low: the balance seen and the floor it fell below */
  balance: Money.nullable(),
  floor: Money.nullable(),
  /** rejection_spike: how many rejections in how many minutes */
  count: z.number().int().min(0).nullable(),
  minutes: z.number().int().min(1).nullable(),
  message: EventText(500),
});
export type AlertEvent = z.infer<typeof AlertEvent>;

/** An approval's life: PENDING, then APPROVED (the call goes on) and COMPLETED or FAILED, or DENIED, or EXPIRED. */
export const ApprovalStatus = z.enum(['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'COMPLETED', 'FAILED']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** An approval reached a status (`approval:<approvalId>:<status>`). */
export const ApprovalEvent = z.strictObject({
  id: EventId,
  kind: z.literal('approval'),
  occurredAt: Timestamp,
  approvalId: EventText(100).min(1),
  status: ApprovalStatus,
  agentId: ResourceId,
  serviceId: ResourceId,
  amount: Money,
  decisionId: EventText(100).min(1),
  message: EventText(500),
});
export type ApprovalEvent = z.infer<typeof ApprovalEvent>;

export const AgentChange = z.enum(['paused', 'resumed', 'budget_changed']);
export type AgentChange = z.infer<typeof AgentChange>;

/** An operator changed an agent: paused, resumed, or its budget (the new values in `budget`). */
export const AgentEvent = z.strictObject({
  id: EventId,
  kind: z.literal('agent'),
  occurredAt: Timestamp,
  agentId: ResourceId,
  change: AgentChange,
  /** budget_changed: the fields set, as given (money strings, or null where cleared) */
  budget: z.record(z.string(), Money.nullable()).nullable(),
  message: EventText(500),
});
export type AgentEvent = z.infer<typeof AgentEvent>;

/** The `event:` of a Server-Sent Event on `GET /events/stream`. */
export const StreamEventType = z.enum(['decision', 'payment', 'refund', 'alert', 'approval', 'agent']);
export type StreamEventType = z.infer<typeof StreamEventType>;

/**
 * The `data:` of a Server-Sent Event: its type, when it happened, whose it
 * is, and the event as the logger stored it. The SSE `id:` is the stream's
 * sequence number (a decimal string) that `Last-Event-ID` resumes after.
 */
export const StreamEvent = z.object({
  type: StreamEventType,
  at: Timestamp,
  agentId: z.string().optional(),
  serviceId: z.string().optional(),
  /** the logged event's own id (`pay:<id>:SUCCESS`, `alert:...`) */
  eventId: z.string(),
  event: z.record(z.string(), z.unknown()),
});
export type StreamEvent = z.infer<typeof StreamEvent>;

/** `GET /alerts`: newest first, filtered, in cursor pages. */
export const AlertQuery = z.strictObject({
  agentId: ResourceId.optional(),
  alertType: AlertType.optional(),
  /** inclusive, on occurredAt */
  from: Timestamp.optional(),
  /** exclusive, on occurredAt */
  to: Timestamp.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type AlertQuery = z.infer<typeof AlertQuery>;

/** An alert as stored: plus when the logger recorded it. */
export const LoggedAlert = AlertEvent.extend({ recordedAt: Timestamp });
export type LoggedAlert = z.infer<typeof LoggedAlert>;

export const AlertList = z.object({ items: z.array(LoggedAlert), nextCursor: z.string().nullable() });
export type AlertList = z.infer<typeof AlertList>;

/** `POST /events/tickets`: opens one event stream without the key in a URL (a browser's EventSource sends no header). */
export const StreamTicket = z.object({
  ticket: z.string().describe('opens one stream: GET /events/stream?ticket=...'),
  expiresAt: Timestamp,
});
export type StreamTicket = z.infer<typeof StreamTicket>;
