import { ServiceCallError } from './service-call-error';

/** Where a call was when it failed: sending it and waiting for the head of the answer, or reading the answer's body. */
export type CallPhase = 'request' | 'answer';

/** Nothing came back in time: connecting, waiting for the head, or between two pieces of the body (undici's codes, and the OS's). */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ECONNABORTED',
]);

/** An answer that cannot be read: over the size cap, or shorter or longer than it said. */
const UNREADABLE_CODES: ReadonlySet<string> = new Set(['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

/**
 * The error's `code` (ECONNREFUSED, UND_ERR_SOCKET...), or its cause's when it
 * has none of its own. Read by shape: errors from Node's own modules are not
 * `instanceof Error` of another realm (a test's).
 */
export function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  if ('code' in error && typeof error.code === 'string') return error.code;
  return 'cause' in error ? errorCode(error.cause, depth + 1) : undefined;
}

/**
 * A call that got no usable answer, as a ServiceCallError: `timeout` when
 * nothing came in time, `bad_response` when the answer could not be read
 * (over the cap, or its body cut off once it had begun, which is no answer to
 * act on), `unreachable` for everything else (refused, reset, DNS...).
 */
export function transportFailure(service: string, request: string, phase: CallPhase, error: unknown): ServiceCallError {
  const code = errorCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code))
    return new ServiceCallError({
      service,
      failure: 'timeout',
      code: 'UPSTREAM_TIMEOUT',
      message: `${service} did not answer ${request} in time`,
      cause: error,
    });
  if (phase === 'answer' || (code !== undefined && UNREADABLE_CODES.has(code)))
    return new ServiceCallError({
      service,
      failure: 'bad_response',
      code: 'UPSTREAM_ERROR',
      message: `${service} sent an unreadable answer to ${request}`,
      cause: error,
    });
  return new ServiceCallError({
    service,
    failure: 'unreachable',
    code: 'UPSTREAM_UNAVAILABLE',
    message: `${service} is unreachable (${code ?? 'network error'})`,
    cause: error,
  });
}
