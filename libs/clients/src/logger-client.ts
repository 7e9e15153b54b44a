import {
  LogEventAck,
  LoggedEvent,
  LoggedEventList,
  LogStats,
  SpendHistory,
  type HistoryQuery,
  type LogEvent,
  type LogQuery,
  type StatsQuery,
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

  /** Lets the calls under way finish, then closes the client's connections. */
  close(): Promise<void> {
    return this.client.close();
  }

  /** Throws a ServiceCallError unless the logger reports itself healthy. */
  async ping(): Promise<void> {
    await this.client.send('GET', '/health', { timeoutMs: 2_000 });
  }
}
