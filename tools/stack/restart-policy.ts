/**
 * How the launcher starts again what dies (the services and the chain node):
 * after 0.5 s, then 1, 2, 4 and 8 s if it keeps dying; after more than
 * MAX_DEATHS deaths within DEATH_WINDOW_MS it gives up and stops the stack.
 */
export const MAX_DEATHS = 5;
export const DEATH_WINDOW_MS = 60_000;

/** Counts one process's deaths; `died()` says how long to wait before starting it again, or undefined to give up. */
export class RestartPolicy {
  private recent: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  died(): number | undefined {
    const at = this.now();
    this.recent = [...this.recent.filter((death) => at - death < DEATH_WINDOW_MS), at];
    return this.recent.length > MAX_DEATHS ? undefined : 500 * 2 ** (this.recent.length - 1);
  }
}
