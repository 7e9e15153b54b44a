import { backOff } from 'exponential-backoff';
import { Pool } from 'undici';
import type { z } from 'zod';
import { readAnswer } from './read-answer';
import { ServiceCallError } from './service-call-error';
import { transportFailure } from './transport-failure';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RetrySettings {
  /** attempts in all, the first included */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface ServiceClientOptions {
  /** e.g. http://127.0.0.1:8006 */
  baseUrl: string;
  /** bearer token: the calling process's own `<NAME>_TOKEN` for internal services */
  token?: string;
  /** per attempt; 5 s by default */
  timeoutMs?: number;
  /** for transient failures of safe calls; 3 attempts, 100 ms doubling to 1 s by default */
  retry?: RetrySettings;
  /** most connections open to the service at once (one call each); 64 by default, calls past them wait for one */
  connections?: number;
}

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * May this call be sent again after a transient failure? GETs are; a POST
   * is only when the service makes it idempotent (an idempotency key).
   */
  retry?: boolean;
  /** the caller's request id, forwarded so one id follows a call through every service */
  requestId?: string;
  timeoutMs?: number;
  /** Hand back every answered status with its raw body (the caller reads the error body itself); only transport failures throw. */
  anyStatus?: boolean;
}

export const DEFAULT_CLIENT_RETRY: RetrySettings = { attempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 };

/** The largest answer read; a bigger one is refused as unreadable rather than buffered. */
export const MAX_ANSWER_BYTES = 10 * 1024 * 1024;

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_CONNECTIONS = 64;
/** Below the 5 s a Node server keeps an idle connection, so the client lets go first (a server's Keep-Alive hint shortens it). */
const KEEP_ALIVE_MS = 4_000;

/**
 * One service's HTTP client (an undici pool of kept-alive connections): JSON
 * in and out, a timeout on every attempt, retries with backoff for calls that
 * are safe to repeat, and every failure as a ServiceCallError. Answers are
 * parsed with the contract's zod schema, so a service that drifts from its
 * contract is caught at the edge. Redirects are answers, never followed.
 */
export class ServiceClient {
  private readonly pool: Pool;
  /** the base URL's path, without its last slash ('' for none): calls' paths go below it */
  private readonly basePath: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  private readonly retrySettings: RetrySettings;

  constructor(
    readonly service: string,
    options: ServiceClientOptions,
  ) {
    const base = new URL(options.baseUrl);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.headers = { accept: 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
    this.retrySettings = options.retry ?? DEFAULT_CLIENT_RETRY;
    this.pool = new Pool(base.origin, {
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connectTimeout: this.timeoutMs,
      maxResponseSize: MAX_ANSWER_BYTES,
    });
  }

  /** Sends the call and returns the body parsed by `schema`; throws ServiceCallError otherwise. */
  async call<T extends z.ZodType>(method: HttpMethod, path: string, schema: T, options: CallOptions = {}): Promise<z.infer<T>> {
    const { data } = await this.send(method, path, options);
    const parsed = schema.safeParse(data);
    if (!parsed.success)
      throw new ServiceCallError({
        service: this.service,
        failure: 'bad_response',
        code: 'UPSTREAM_ERROR',
        message: `${this.service} answered ${method} ${path} with a body that is not its contract`,
        upstreamStatus: 200,
        cause: parsed.error,
      });
    return parsed.data;
  }

  /** Sends the call; a 2xx answer's status and raw body (any status with `anyStatus`), a ServiceCallError otherwise. */
  async send(method: HttpMethod, path: string, options: CallOptions = {}): Promise<{ status: number; data: unknown }> {
    const attempt = async () => {
      const response = await this.attempt(method, path, options);
      if (options.anyStatus || (response.status >= 200 && response.status < 300)) return response;
      throw ServiceCallError.answered(this.service, response.status, response.data);
    };
    if (!options.retry) return attempt();
    return backOff(attempt, {
      numOfAttempts: this.retrySettings.attempts,
      startingDelay: this.retrySettings.initialDelayMs,
      maxDelay: this.retrySettings.maxDelayMs,
      timeMultiple: 2,
      jitter: 'full',
      retry: (error: unknown) => error instanceof ServiceCallError && error.transient,
    });
  }

  /** Lets the calls under way finish, then closes the connections; calls after it fail as unreachable. */
  async close(): Promise<void> {
    if (!this.pool.closed) await this.pool.close();
  }

  private async attempt(method: HttpMethod, path: string, options: CallOptions): Promise<{ status: number; data: unknown }> {
    const timeout = options.timeoutMs ?? this.timeoutMs;
    const hasBody = options.body !== undefined && options.body !== null;
    const headers: Record<string, string> = { ...this.headers };
    if (hasBody) headers['content-type'] = 'application/json';
    Object.assign(headers, options.headers);
    if (options.requestId) headers['x-request-id'] = options.requestId;
    let response;
    try {
      response = await this.pool.request({
        method,
        path: this.target(path, options.query),
        headers,
        body: hasBody ? JSON.stringify(options.body) : null,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (error: unknown) {
      throw transportFailure(this.service, `${method} ${path}`, 'request', error);
    }
    try {
      // Read to the end every time: only a fully read answer gives its connection back to the pool.
      return { status: response.statusCode, data: readAnswer(await response.body.text()) };
    } catch (error: unknown) {
      throw transportFailure(this.service, `${method} ${path}`, 'answer', error);
    }
  }

  /** The path below the base URL's, with the query's defined values. */
  private target(path: string, query: CallOptions['query']): string {
    let target = `${this.basePath}/${path.replace(/^\/+/, '')}`;
    if (!query) return target;
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.append(name, String(value));
    const text = params.toString();
    if (text) target += `${target.includes('?') ? '&' : '?'}${text}`;
    return target;
  }
}
