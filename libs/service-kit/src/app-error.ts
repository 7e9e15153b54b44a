import { type ErrorCode, type ErrorDetail, NexusError } from '@nexus/types';

/**
 * The HTTP status each error code answers with. A code used with another
 * status in one place (a provider's 4xx passed through by the gateway keeps
 * the upstream status) says so with the `status` option.
 */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  FORBIDDEN_CALLER: 403,
  NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  RESERVATION_NOT_FOUND: 404,
  DECISION_NOT_FOUND: 404,
  APPROVAL_NOT_FOUND: 404,
  APPROVAL_NOT_PENDING: 409,
  RESERVATION_EXPIRED: 409,
  RESERVATION_ALREADY_SETTLED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  COMMIT_EXCEEDS_HOLD: 422,
  PAYMENT_NOT_FOUND: 404,
  PAYMENT_NOT_REFUNDABLE: 409,
  PAYMENT_PENDING: 409,
  REFUND_NOT_SIGNABLE: 422,
  REFUND_NOT_VERIFIED: 422,
  GRANT_INVALID: 403,
  RESERVATION_ALREADY_PAID: 409,
  PAYMENT_REQUIRED: 402,
  PAYMENT_INVALID: 402,
  PAYMENT_ALREADY_REDEEMED: 409,
  PAYMENT_UNVERIFIABLE: 503,
  PROVIDER_FAILED: 502,
  PRICE_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  ARCHIVE_NOT_FOUND: 404,
  IMAGE_NOT_FOUND: 404,
  EVENT_CONFLICT: 409,
  EVENT_OF_ANOTHER_SENDER: 403,
  SERVICE_NOT_FOUND: 404,
  PAYMENT_FAILED: 502,
  IDEMPOTENCY_KEY_IN_USE: 409,
  MODEL_NOT_CONFIGURED: 422,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  UPSTREAM_ERROR: 502,
  UPSTREAM_UNAVAILABLE: 503,
  PRECHECK_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  CHAIN_UNAVAILABLE: 503,
  X402_NEEDS_CHAIN_MODE: 409,
  X402_NOT_PAYABLE: 502,
  X402_OFFER_REFUSED: 422,
  INTERNAL_ERROR: 500,
} as const satisfies Record<ErrorCode, number>;

export interface AppErrorOptions {
  /** the HTTP status when it is not the code's own (ERROR_STATUS) */
  status?: number;
  details?: ErrorDetail[];
  cause?: unknown;
}

/** The error a service answers with: a NexusError with a stable code, an HTTP status (from ERROR_STATUS unless given), details and a cause. */
export class AppError extends NexusError {
  override readonly name: string = 'AppError';
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status ?? ERROR_STATUS[code];
    this.details = options.details;
  }
}

/** A 400 listing what is wrong; `cause` is the error it was read from, if any. */
export const validationError = (message: string, details: ErrorDetail[], options: { cause?: unknown } = {}) =>
  new AppError('VALIDATION_ERROR', message, { details, ...options });

/** A 404 under the given code. */
export const notFound = (code: ErrorCode, message: string) => new AppError(code, message, { status: 404 });

/** A 409 under the given code. */
export const conflict = (code: ErrorCode, message: string, details?: ErrorDetail[]) =>
  new AppError(code, message, { status: 409, ...(details ? { details } : {}) });
