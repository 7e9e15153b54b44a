import { isServiceCallError } from '../service-call-error';

/**
 * Answers that refuse the messages themselves (bad shape, an id already used
 * for another event, too large): sending them again would get the same
 * answer, so they are found and set aside. Anything else (unreachable, slow,
 * 5xx, 429, or a misconfiguration such as a wrong token) may pass later and
 * is retried.
 */
const REFUSING_STATUSES = new Set([400, 409, 413, 422]);
/** Failures a person must fix (token, URL); retried, but logged as errors. */
const MISCONFIGURED_STATUSES = new Set([401, 403, 404, 405]);

export const isRefusal = (error: unknown): boolean =>
  isServiceCallError(error) &&
  error.failure !== 'unreachable' &&
  error.failure !== 'timeout' &&
  REFUSING_STATUSES.has(error.upstreamStatus ?? 0);

export const isMisconfiguration = (error: unknown): boolean =>
  isServiceCallError(error) && MISCONFIGURED_STATUSES.has(error.upstreamStatus ?? 0);

/** One line for the queue's `last_error` and the log: code and message, never a body. */
export function summarise(error: unknown): string {
  if (isServiceCallError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
