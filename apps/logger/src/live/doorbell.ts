/**
 * Wakes one open stream. A ring that comes while the stream is reading is
 * kept, so the stream reads again at once instead of missing it until the
 * next heartbeat.
 */
export class Doorbell {
  private rung = false;
  private waiter: (() => void) | undefined;

  ring(): void {
    this.rung = true;
    this.waiter?.();
  }

  /** Forgets earlier rings: call before reading, so a ring during the read counts. */
  clear(): void {
    this.rung = false;
  }

  /** Resolves `true` when rung (now or already), `false` after `ms` without a ring. */
  wait(ms: number): Promise<boolean> {
    if (this.rung) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(false);
      }, ms);
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(true);
      };
    });
  }
}
