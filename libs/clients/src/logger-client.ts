import { Pool, type Dispatcher } from 'undici';
import {
  AlertList,
  LogEventAck,
  LoggedEvent,
  LoggedEventList,
  LogStats,
  SpendHistory,
  type AlertQuery,
  type HistoryQuery,
  type LogEvent,
  type LogQuery,
  type StatsQuery,
  type StreamEventType,
} from '@nexus/types';
import { ServiceClient, type ServiceClientOptions } from './http-client';
import { transportFailure } from './transport-failure';

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

/** What a stream shows: one agent's events, some types, after an event id. */
export interface EventStreamQuery {
  agentId?: string;
  types?: readonly StreamEventType[];
  /** the `Last-Event-ID` to resume after (an event's seq) */
  lastEventId?: string;
}

export interface EventStreamOptions extends LoggerCallContext {
  /** aborting it closes the stream */
  signal: AbortSignal;
}

/** The logger's answer to a stream request: a 200 whose body is the event stream, or an error answer to read. */
export interface OpenedEventStream {
  status: number;
  /** read as it comes; `text()` for an error answer */
  body: Dispatcher.ResponseData['body'];
}

/** The logger service's API (apps/logger, port 8007), typed. */
export class LoggerClient implements LogEventSink {
  private readonly client: ServiceClient;
  /** Event streams hold their connection for as long as they are open: their own pool, so calls never wait behind them. */
  private readonly streams: Pool;
  private readonly streamHeaders: Readonly<Record<string, string>>;
  private readonly basePath: string;
  private readonly connectTimeoutMs: number;

  constructor(options: ServiceClientOptions) {
    this.client = new ServiceClient('logger', options);
    const base = new URL(options.baseUrl);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.connectTimeoutMs = options.timeoutMs ?? 5_000;
    this.streams = new Pool(base.origin, { connectTimeout: this.connectTimeoutMs, pipelining: 1 });
    this.streamHeaders = { accept: 'text/event-stream', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
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

  /** Alerts, newest first; pass the page's `nextCursor` as `cursor` for the next one. */
  alerts(query: Partial<AlertQuery> = {}, context?: LoggerCallContext): Promise<AlertList> {
    return this.client.call('GET', '/alerts', AlertList, { query, retry: true, ...context });
  }

  /**
   * Opens `GET /events/stream`, not buffered: the body is read as it comes,
   * with no timeout (a stream is idle between events and heartbeats), but
   * connecting and the answer's headers are timed. Any answered status is
   * handed back; only a transport failure throws (a ServiceCallError).
   */
  async openStream(query: EventStreamQuery, options: EventStreamOptions): Promise<OpenedEventStream> {
    const params = new URLSearchParams();
    if (query.agentId !== undefined) params.set('agentId', query.agentId);
    if (query.types !== undefined) params.set('types', query.types.join(','));
    const headers: Record<string, string> = { ...this.streamHeaders };
    if (query.lastEventId !== undefined) headers['last-event-id'] = query.lastEventId;
    if (options.requestId) headers['x-request-id'] = options.requestId;
    const text = params.toString();
    try {
      const answer = await this.streams.request({
        method: 'GET',
        path: `${this.basePath}/events/stream${text ? `?${text}` : ''}`,
        headers,
        signal: options.signal,
        headersTimeout: this.connectTimeoutMs,
        bodyTimeout: 0,
      });
      return { status: answer.statusCode, body: answer.body };
    } catch (error: unknown) {
      throw transportFailure('logger', 'GET /events/stream', 'request', error);
    }
  }

  /** Lets the calls under way finish, then closes the client's connections (open streams are cut). */
  async close(): Promise<void> {
    if (!this.streams.closed) await this.streams.destroy();
    await this.client.close();
  }

  /** Throws a ServiceCallError unless the logger reports itself healthy. */
  async ping(): Promise<void> {
    await this.client.send('GET', '/health', { timeoutMs: 2_000 });
  }
}
