import {
  LogEventAck,
  LoggedEvent,
  LoggedEventList,
  LogStats,
  SpendHistory,
  WebhookCreated,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookList,
  type HistoryQuery,
  type LogEvent,
  type LogQuery,
  type StatsQuery,
  type WebhookCreate,
  type WebhookDeliveryQuery,
} from '@nexus/types';
import { ServiceClient, type ServiceClientOptions } from './http-client';

export interface LoggerCallContext {
  /** the caller's request id, forwarded to the logger */
  requestId?: string;
}

export interface PostEventsOptions extends LoggerCallContext {
  /**
   * Retry transient failures inside this call (the default: a post is
   * idempotent by event id). The outbox turns this off: it has its own,
   * durable backoff.
   */
  retry?: boolean;
  /** per attempt; the client's own timeout otherwise */
  timeoutMs?: number;
}

/** What a sender needs of the logger to hand it events: LoggerClient, or anything that posts like it. */
export interface LogEventSink {
  postEvents(events: readonly LogEvent[], options?: PostEventsOptions): Promise<LogEventAck>;
}

/** The logger service's API (apps/logger, port 8007), typed. */
export class LoggerClient implements LogEventSink {
  private readonly client: ServiceClient;

  constructor(options: ServiceClientOptions) {
    this.client = new ServiceClient('logger', options);
  }

  /** Stores each event once by id (a repeat is counted as a duplicate), so it is retried on transient failures. */
  postEvents(events: readonly LogEvent[], options: PostEventsOptions = {}): Promise<LogEventAck> {
    const { retry = true, ...call } = options;
    return this.client.call('POST', '/events', LogEventAck, { body: { events }, retry, ...call });
  }

  /** Newest first; pass the page's `nextCursor` as `cursor` for the next one. */
  query(query: Partial<LogQuery> = {}, context?: LoggerCallContext): Promise<LoggedEventList> {
    return this.client.call('GET', '/events', LoggedEventList, { query, retry: true, ...context });
  }

  get(id: string, context?: LoggerCallContext): Promise<LoggedEvent> {
    return this.client.call('GET', `/events/${encodeURIComponent(id)}`, LoggedEvent, { retry: true, ...context });
  }

  stats(query: Partial<StatsQuery> = {}, context?: LoggerCallContext): Promise<LogStats> {
    return this.client.call('GET', '/stats', LogStats, { query, retry: true, ...context });
  }

  /** Spend, calls and refunds per UTC hour or day, by agent and by service. */
  history(query: Partial<HistoryQuery> = {}, context?: LoggerCallContext): Promise<SpendHistory> {
    return this.client.call('GET', '/stats/history', SpendHistory, { query, retry: true, ...context });
  }

  /** Subscribes a URL to stream events; the answer holds the signing secret, shown this once. Not retried: a retry would make a second webhook. */
  createWebhook(body: WebhookCreate, context?: LoggerCallContext): Promise<WebhookCreated> {
    return this.client.call('POST', '/webhooks', WebhookCreated, { body, ...context });
  }

  /** The live webhooks, without their secrets. */
  listWebhooks(context?: LoggerCallContext): Promise<WebhookList> {
    return this.client.call('GET', '/webhooks', WebhookList, { retry: true, ...context });
  }

  /** Deletes a webhook: nothing more is sent to it. */
  async deleteWebhook(id: string, context?: LoggerCallContext): Promise<void> {
    await this.client.send('DELETE', `/webhooks/${encodeURIComponent(id)}`, { ...context });
  }

  /** A webhook's deliveries, newest first; pass the page's `nextCursor` as `cursor` for the next one. */
  webhookDeliveries(id: string, query: Partial<WebhookDeliveryQuery> = {}, context?: LoggerCallContext): Promise<WebhookDeliveryList> {
    return this.client.call('GET', `/webhooks/${encodeURIComponent(id)}/deliveries`, WebhookDeliveryList, {
      query,
      retry: true,
      ...context,
    });
  }

  /** Sends a test message to the webhook now; its delivery after the first attempt. */
  testWebhook(id: string, context?: LoggerCallContext): Promise<WebhookDelivery> {
    return this.client.call('POST', `/webhooks/${encodeURIComponent(id)}/test`, WebhookDelivery, { ...context });
  }

  /** Lets the calls under way finish, then closes the client's connections. */
  close(): Promise<void> {
    return this.client.close();
  }

  /** Throws a ServiceCallError unless the logger reports itself healthy. */
  async ping(): Promise<void> {
    await this.client.send('GET', '/health', { timeoutMs: 2_000 });
  }
}
