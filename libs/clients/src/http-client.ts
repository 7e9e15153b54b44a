import axios, { type AxiosInstance, type Method } from 'axios';
import { backOff } from 'exponential-backoff';
import type { z } from 'zod';
import { ServiceCallError } from './service-call-error';

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

/**
 * One service's HTTP client (axios): JSON in and out, a timeout on every
 * attempt, retries with backoff for calls that are safe to repeat, and every
 * failure as a ServiceCallError. Answers are parsed with the contract's zod
 * schema, so a service that drifts from its contract is caught at the edge.
 */
export class ServiceClient {
  private readonly http: AxiosInstance;
  private readonly retrySettings: RetrySettings;

  constructor(
    readonly service: string,
    options: ServiceClientOptions,
  ) {
    this.http = axios.create({
      baseURL: options.baseUrl,
      timeout: options.timeoutMs ?? 5_000,
      headers: {
        Accept: 'application/json',
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      // Every status is an answer; this class decides what an error is.
      validateStatus: () => true,
      maxRedirects: 0,
      // The logger of the receiving service limits bodies; do not buffer a runaway answer.
      maxContentLength: 10 * 1024 * 1024,
    });
    this.retrySettings = options.retry ?? DEFAULT_CLIENT_RETRY;
  }

  /** Sends the call and returns the body parsed by `schema`; throws ServiceCallError otherwise. */
  async call<T extends z.ZodType>(method: Method, path: string, schema: T, options: CallOptions = {}): Promise<z.infer<T>> {
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
  async send(method: Method, path: string, options: CallOptions = {}): Promise<{ status: number; data: unknown }> {
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

  private async attempt(method: Method, path: string, options: CallOptions): Promise<{ status: number; data: unknown }> {
    try {
      const response = await this.http.request<unknown>({
        method,
        url: path,
        params: options.query,
        data: options.body,
        timeout: options.timeoutMs,
        headers: { ...options.headers, ...(options.requestId ? { 'X-Request-Id': options.requestId } : {}) },
      });
      return { status: response.status, data: response.data };
    } catch (error: unknown) {
      throw this.transportError(method, path, error);
    }
  }

  private transportError(method: Method, path: string, error: unknown): ServiceCallError {
    const code = axios.isAxiosError(error) ? error.code : undefined;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
      return new ServiceCallError({
        service: this.service,
        failure: 'timeout',
        code: 'UPSTREAM_TIMEOUT',
        message: `${this.service} did not answer ${method} ${path} in time`,
        cause: error,
      });
    if (code === 'ERR_BAD_RESPONSE' || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED')
      return new ServiceCallError({
        service: this.service,
        failure: 'bad_response',
        code: 'UPSTREAM_ERROR',
        message: `${this.service} sent an unreadable answer to ${method} ${path}`,
        cause: error,
      });
    return new ServiceCallError({
      service: this.service,
      failure: 'unreachable',
      code: 'UPSTREAM_UNAVAILABLE',
      message: `${this.service} is unreachable (${code ?? 'network error'})`,
      cause: error,
    });
  }
}
