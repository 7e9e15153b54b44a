import { z } from 'zod';

/** Stable, machine-readable error codes shared by every service. */
export const ErrorCode = z.enum([
  'VALIDATION_ERROR',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  // an internal route's caller is known but not one it accepts (docs/architecture.md §9)
  'FORBIDDEN_CALLER',
  'NOT_FOUND',
  'AGENT_NOT_FOUND',
  'RESERVATION_NOT_FOUND',
  'DECISION_NOT_FOUND',
  'APPROVAL_NOT_FOUND',
  // an approval already answered (approve and deny raced: one wins), expired, or not approved yet
  'APPROVAL_NOT_PENDING',
  'RESERVATION_EXPIRED',
  'RESERVATION_ALREADY_SETTLED',
  'IDEMPOTENCY_KEY_REUSED',
  'COMMIT_EXCEEDS_HOLD',
  'PAYMENT_NOT_FOUND',
  'PAYMENT_NOT_REFUNDABLE',
  'PAYMENT_PENDING',
  'REFUND_NOT_SIGNABLE',
  'REFUND_NOT_VERIFIED',
  // payment: no live policy grant behind the request (forged, expired, replayed, or naming an unknown service)
  'GRANT_INVALID',
  /** a grant whose hold was already paid under another idempotency key: nothing more is paid, and the hold is not free */
  'RESERVATION_ALREADY_PAID',
  // providers (the paid endpoint)
  'PAYMENT_REQUIRED',
  'PAYMENT_INVALID',
  'PAYMENT_ALREADY_REDEEMED',
  'PAYMENT_UNVERIFIABLE',
  'PROVIDER_FAILED',
  'PRICE_NOT_FOUND',
  'JOB_NOT_FOUND',
  'ARCHIVE_NOT_FOUND',
  'IMAGE_NOT_FOUND',
  // logger
  'EVENT_CONFLICT',
  'EVENT_OF_ANOTHER_SENDER',
  // gateway
  'SERVICE_NOT_FOUND',
  'PAYMENT_FAILED',
  'IDEMPOTENCY_KEY_IN_USE',
  'MODEL_NOT_CONFIGURED',
  /** a method a route does not take (GET or DELETE on the stateless MCP endpoint) */
  'METHOD_NOT_ALLOWED',
  /** the request's Accept names no answer the route gives (the MCP endpoint wants application/json and text/event-stream) */
  'NOT_ACCEPTABLE',
  // calls between services
  'UPSTREAM_ERROR',
  'UPSTREAM_UNAVAILABLE',
  /** the provider could not be asked to check the input before payment: nothing was paid, the hold was released */
  'PRECHECK_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'CHAIN_UNAVAILABLE',
  /** the x402 facilitator routes of a payment service in mock mode: x402 settles on a chain */
  'X402_NEEDS_CHAIN_MODE',
  /** gateway: an x402 service did not answer with a payment it can make (no v2 `exact` offer in MNEE on our chain, or to another payee than services.yaml names) */
  'X402_NOT_PAYABLE',
  /** payment: the offer to sign is not the grant's (amount, payee, network or token differ) */
  'X402_OFFER_REFUSED',
  'INTERNAL_ERROR',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorDetail = z.object({
  path: z.string(),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof ErrorDetail>;

/** The one error body every service answers with. */
export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.array(ErrorDetail).optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * The one base of every error class in the repo (the service kit's AppError,
 * which adds a code and an HTTP status, is one of them). Each class sets its
 * own fixed `name`, a string and not the class's name, which a bundler may
 * rename; an error that wraps another passes it as `cause`.
 */
export abstract class NexusError extends Error {
  abstract override readonly name: string;

  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
