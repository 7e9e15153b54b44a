import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it gives a value (anything but undefined or false);
 * gives up with an error naming what it waited for and the last thing seen.
 * A deadline for a hung test across processes, never an assertion on time.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, deadlineMs = 60_000): Promise<T> {
  const giveUp = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error: unknown) {
      lastError = error;
    }
    if (Date.now() > giveUp) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`gave up waiting for ${what}${why}`);
    }
    await sleep(100);
  }
}
