import { backOff } from 'exponential-backoff';
import { isTransientRpcError } from './rpc-errors';

export interface RetryPolicy {
  /** attempts in all, the first included */
  attempts: number;
  /** delay before the second attempt; doubles each time */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 3_000 };

/** Runs `operation`, retrying with exponential backoff (full jitter) while it fails with a transient RPC error. */
export function withRpcRetry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  return backOff(operation, {
    numOfAttempts: policy.attempts,
    startingDelay: policy.initialDelayMs,
    maxDelay: policy.maxDelayMs,
    timeMultiple: 2,
    jitter: 'full',
    retry: (error: unknown, attempt: number) => {
      if (!isTransientRpcError(error)) return false;
      onRetry?.(error, attempt);
      return true;
    },
  });
}
