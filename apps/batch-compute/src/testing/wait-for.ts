import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it gives a value (anything but undefined or false),
 * every few milliseconds; gives up with an error naming what it waited for.
 * A deadline for a hung test, never an assertion on time.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, deadlineMs = 25_000): Promise<T> {
  const giveUp = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > giveUp) throw new Error(`gave up waiting for ${what}`);
    await sleep(5);
  }
}
