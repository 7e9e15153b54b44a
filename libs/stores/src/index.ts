export { type Database, type Dialect, openDatabase, type OpenDatabaseOptions, storeView } from './database';
export { migrate } from './migrations';
export { isStoreUnavailable } from './store-errors';
export type {
  AgentStateRecord,
  BudgetOverride,
  DecideCommand,
  DecideOutcome,
  DecisionFilter,
  DecisionRecord,
  HoldLimits,
  PeriodBounds,
  PolicyCalendar,
  PeriodRecord,
  PolicySnapshot,
  PolicyStore,
  ReservationFilter,
  ReservationRecord,
  SettleOutcome,
  Standing,
  TreasuryStanding,
  WindowLimit,
  WindowStanding,
  WindowUse,
  UsageRecord,
  Verdict,
} from './policy/policy-store';
export type { PolicyTables } from './policy/policy-tables';
export type { ApprovalChange, ApprovalFilter, ApprovalRecord, ApprovalStore, NewApproval } from './policy/approval-records';
export { createPolicyStore } from './policy/sql-policy-store';
export {
  InvalidCursorError,
  type NewPayment,
  PAYMENT_STATUSES,
  type PaymentFilter,
  type PaymentMode,
  type PaymentMethod,
  type NewX402Payment,
  type NewX402OutPayment,
  type PaymentRecord,
  type PaymentStatus,
  type PaymentStore,
  type RefundOutcome,
  type Settlement,
  type Submission,
} from './payment/payment-store';
export type { PaymentTables } from './payment/payment-tables';
export { createPaymentStore } from './payment/sql-payment-store';
export {
  type NewRedemption,
  type Redemption,
  REDEMPTION_STATUSES,
  type RedemptionStatus,
  type RedemptionStore,
  type RefundRecord,
} from './redemption/redemption-store';
export type { RedemptionTables } from './redemption/redemption-tables';
export { createRedemptionStore } from './redemption/sql-redemption-store';
export {
  type AppendRecord,
  type DecisionLogRecord,
  isLiveRecord,
  LIVE_EVENT_KINDS,
  type LiveEventFilter,
  type LiveEventKind,
  type LiveLogRecord,
  LOG_EVENT_KINDS,
  type LogAppendOutcome,
  type LogEventFilter,
  type LogEventHistory,
  type LogEventKind,
  type LogEventRecord,
  type LogEventStats,
  type LogEventStore,
  type LogHistoryFigures,
  type LogHistoryFilter,
  type LogStatsFilter,
  type StoredLiveEvent,
  type StoredLogEvent,
  type StreamFilter,
  type StreamRecord,
  type TransactionLogRecord,
} from './logger/log-event-store';
export type { LoggerTables } from './logger/logger-tables';
export { createLogEventStore, LIVE_EVENTS_CHANNEL } from './logger/sql-log-event-store';
export {
  type AttemptRecord,
  DELIVERY_STATUSES,
  type DeliveryFilter,
  type DeliveryRecord,
  type DeliveryStatus,
  type DueDelivery,
  type NewDelivery,
  type WebhookRecord,
  type WebhookStore,
} from './logger/webhook-store';
export { createWebhookStore } from './logger/sql-webhook-store';
export type { DeadOutboxMessage, NewOutboxMessage, OutboxCounts, OutboxMessage, OutboxStore } from './outbox/outbox-store';
export type { OutboxTables } from './outbox/outbox-tables';
export { createOutboxStore } from './outbox/sql-outbox-store';
export { JOB_STATUSES, type JobProgress, type JobRecord, type JobStatus, type JobStore, type NewJob } from './jobs/job-store';
export type { JobTables } from './jobs/job-tables';
export { createJobStore } from './jobs/sql-job-store';
export { ARCHIVE_VARIANTS, type ArchiveRecord, type ArchiveStore, type ArchiveVariant, type NewArchive } from './archives/archive-store';
export type { ArchiveTables } from './archives/archive-tables';
export { createArchiveStore } from './archives/sql-archive-store';
export type {
  ClaimResult,
  IdempotencyRecord,
  IdempotencyState,
  IdempotencyStore,
  NewClaim,
  StoredAnswer,
} from './idempotency/idempotency-store';
export type { IdempotencyTables } from './idempotency/idempotency-tables';
export { createIdempotencyStore } from './idempotency/sql-idempotency-store';
export type { NewStreamTicket, StreamTicketStore } from './stream-tickets/stream-ticket-store';
export type { StreamTicketTables } from './stream-tickets/stream-ticket-tables';
export { createStreamTicketStore } from './stream-tickets/sql-stream-ticket-store';
