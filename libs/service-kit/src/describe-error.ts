import { redactSecrets } from '@nexus/types';

/**
 * An Error's own fields are not enumerable, so logged as is it shows as `{}`:
 * spell them out (and its causes) for a log line, URLs and tokens redacted.
 */
export function describeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  return {
    name: error.name,
    message: redactSecrets(error.message),
    ...(error.stack === undefined ? {} : { stack: redactSecrets(error.stack) }),
    ...(error.cause !== undefined && depth < 3 ? { cause: describeError(error.cause, depth + 1) } : {}),
  };
}
