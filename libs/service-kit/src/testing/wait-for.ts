import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** give up after this long (default 30 s): a deadline for a hung test, never an assertion on time */
  timeoutMs?: number;
  /** pause between two checks (default 100 ms) */
  intervalMs?: number;
  /** a check that throws is tried again, and the last error is named on giving up (default: the error is thrown at once) */
  retryOnError?: boolean;
}

/**
 * Polls `check` until it gives a value (anything but undefined or false);
 * gives up with an error naming what it waited for (and, with retryOnError,
 * the last error seen).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, options: WaitForOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100, retryOnError = false } = options;
  const giveUp = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error: unknown) {
      if (!retryOnError) throw error;
      lastError = error;
    }
    if (Date.now() > giveUp) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`gave up waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}
