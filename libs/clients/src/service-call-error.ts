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
export class ServiceCallError extends AppError {
  constructor(
    readonly service: string,
    readonly failure: CallFailure,
    code: ErrorCode,
    status: number,
    message: string,
    /** the status the service answered with; undefined when it did not answer */
    readonly upstreamStatus: number | undefined,
    /** the service's own error body, when it sent one */
    readonly upstreamBody: ErrorBody | undefined,
    cause?: unknown,
  ) {
    super(code, status, message, {
      cause,
      ...(upstreamBody?.error.details ? { details: upstreamBody.error.details } : {}),
    });
  }

  /** true when trying again later may succeed (the service was down, slow or failing). */
  get transient(): boolean {
    return this.failure === 'unreachable' || this.failure === 'timeout' || (this.upstreamStatus ?? 0) >= 500 || this.upstreamStatus === 429;
  }

  static answered(service: string, status: number, body: unknown): ServiceCallError {
    const parsed = ErrorBody.safeParse(body);
    if (!parsed.success)
      return new ServiceCallError(
        service,
        'bad_response',
        'UPSTREAM_ERROR',
        502,
        `${service} answered ${status} without an error body`,
        status,
        undefined,
      );
    const { code, message } = parsed.data.error;
    // A 4xx is the caller's request; a 5xx is the service's trouble, which becomes ours as a 502/503.
    if (status < 500) return new ServiceCallError(service, 'answered', code, status, message, status, parsed.data);
    const ourStatus = status === 503 ? 503 : 502;
    const ourCode: ErrorCode = status === 503 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR';
    return new ServiceCallError(service, 'answered', ourCode, ourStatus, `${service}: ${message}`, status, parsed.data);
  }
}

export const isServiceCallError = (error: unknown): error is ServiceCallError => error instanceof ServiceCallError;
