export {
  type CallOptions,
  DEFAULT_CLIENT_RETRY,
  type HttpMethod,
  type RetrySettings,
  ServiceClient,
  type ServiceClientOptions,
} from './http-client';
export { type CallContext, PaymentClient } from './payment-client';
export { PolicyClient } from './policy-client';
export { type ProviderAnswer, ProviderClient } from './provider-client';
export { type CallFailure, isServiceCallError, ServiceCallError, type ServiceCallErrorOptions } from './service-call-error';
export {
  type EventStreamOptions,
  type EventStreamQuery,
  type LogEventSink,
  type LoggerCallContext,
  LoggerClient,
  type OpenedEventStream,
  type PostEventsOptions,
} from './logger-client';
export { isMisconfiguration, isRefusal, summarise } from './outbox/delivery-failure';
export { InvalidLogEventError, toQueueEntries } from './outbox/log-event-entry';
export { type CloseOptions, LOG_OUTBOX_TOPIC, LogOutbox, type LogOutboxOptions, MAX_LOG_BATCH } from './outbox/log-outbox';
export { backoffDelay, type BackoffSettings, DEFAULT_OUTBOX_BACKOFF } from './outbox/outbox-backoff';
export type { OutboxQueue, QueueCounts, QueueEntry, QueuedMessage } from './outbox/outbox-queue';
export { GatewayAnswerError, GatewayClient, GatewayUnreachableError, type InvokeOutcome, type ListQuery } from './gateway-client';
export { type GrantCheck, signGrant, verifyGrant } from './grants/grant-token';
export { type ReceiptCheck, signReceipt, verifyReceipt } from './receipts/receipt-token';
export { Settlement, SETTLEMENT_TOPIC, SettlementQueue, type SettlementQueueDeps } from './outbox/settlement-queue';
export { decisionEvent, paymentEvents, transactionEvent } from './outbox/audit-events';
