export interface BackoffSettings {
  /** the wait after a first failure */
  initialDelayMs: number;
  /** the longest wait, however many failures */
  maxDelayMs: number;
}

export const DEFAULT_OUTBOX_BACKOFF: BackoffSettings = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * The wait before the next attempt after `failures` failures in a row:
 * doubling from the initial delay up to the maximum, with half of it random
 * (so senders that failed together do not come back together).
 */
export function backoffDelay(failures: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
