import { AppError } from '@nexus/service-kit';
import { ErrorBody, type ErrorCode } from '@nexus/types';

export type CallFailure =
  /** the service answered with an error body of its own (a 4xx, or a 5xx it explained) */
  | 'answered'
  /** nothing answered: refused, reset, DNS */
  | 'unreachable'
  | 'timeout'
  /** an answer that is not the service's contract (not JSON, wrong shape) */
  | 'bad_response';

/**
 * A call to another service that did not give the answer asked for. It is an
 * AppError, so a caller that lets it through answers with a clear status:
 * the service's own 4xx as is, 502 for its 5xx or a bad answer, 503 when it
 * cannot be reached, 504 on a timeout.
 */
export interface ServiceCallErrorOptions {
  service: string;
  failure: CallFailure;
  code: ErrorCode;
  message: string;
  /** our status when it is not the code's own (a service's 4xx passed on as is) */
  status?: number;
  /** the status the service answered with; undefined when it did not answer */
  upstreamStatus?: number;
  /** the service's own error body, when it sent one */
  upstreamBody?: ErrorBody;
  cause?: unknown;
}

export class ServiceCallError extends AppError {
  override readonly name: string = 'ServiceCallError';
  readonly service: string;
  readonly failure: CallFailure;
  /** the status the service answered with; undefined when it did not answer */
  readonly upstreamStatus: number | undefined;
  /** the service's own error body, when it sent one */
  readonly upstreamBody: ErrorBody | undefined;

  constructor(options: ServiceCallErrorOptions) {
    const { upstreamBody } = options;
    super(options.code, options.message, {
      ...(options.status === undefined ? {} : { status: options.status }),
      cause: options.cause,
      ...(upstreamBody?.error.details ? { details: upstreamBody.error.details } : {}),
    });
    this.service = options.service;
    this.failure = options.failure;
    this.upstreamStatus = options.upstreamStatus;
    this.upstreamBody = upstreamBody;
  }

  /** true when trying again later may succeed (the service was down, slow or failing). */
  get transient(): boolean {
    return this.failure === 'unreachable' || this.failure === 'timeout' || (this.upstreamStatus ?? 0) >= 500 || this.upstreamStatus === 429;
  }

  static answered(service: string, status: number, body: unknown): ServiceCallError {
    const parsed = ErrorBody.safeParse(body);
    if (!parsed.success)
      return new ServiceCallError({
        service,
        failure: 'bad_response',
        code: 'UPSTREAM_ERROR',
        message: `${service} answered ${status} without an error body`,
        upstreamStatus: status,
      });
    const { code, message } = parsed.data.error;
    // A 4xx is the caller's request; a 5xx is the service's trouble, which becomes ours as a 502/503.
    if (status < 500)
      return new ServiceCallError({
        service,
        failure: 'answered',
        code,
        status,
        message,
        upstreamStatus: status,
        upstreamBody: parsed.data,
      });
    return new ServiceCallError({
      service,
      failure: 'answered',
      code: status === 503 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR',
      message: `${service}: ${message}`,
      upstreamStatus: status,
      upstreamBody: parsed.data,
    });
  }
}

export const isServiceCallError = (error: unknown): error is ServiceCallError => error instanceof ServiceCallError;
