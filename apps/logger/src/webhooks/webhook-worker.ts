import type { Logger } from '@nexus/service-kit';
import type { WebhookDispatcher } from './webhook-dispatcher';
import type { WebhookSender } from './webhook-sender';

export interface WebhookWorkerDeps {
  dispatcher: Pick<WebhookDispatcher, 'dispatch' | 'webhooksSeen' | 'webhooksChanged'>;
  sender: Pick<WebhookSender, 'sendDue' | 'msUntilRetry'>;
  logger: Logger;
  /** the backstop: the longest the worker waits without being woken (other replicas' webhooks, leases run out) */
  pollMs: number;
}

/**
 * Runs the webhooks in the background: woken when an event is stored (this
 * process's appends; on PostgreSQL every replica's, by NOTIFY) and when a
 * retry this process scheduled is due, and at the latest every `pollMs`,
 * it enqueues what the live log gained, then posts what is due. One round at
 * a time: wake-ups during a round make one more round after it. A round that
 * fails (the store is down) is logged and the next one tries again.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private running = false;
  private again = false;
  /** Until `start`, and after `stop`: wake-ups start nothing. */
  private stopped = true;

  constructor(private readonly deps: WebhookWorkerDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * An event was stored: a round now (or right after the one under way).
   * Nothing while the last look found no webhook at all; the backstop, or
   * `webhooksChanged`, looks again.
   */
  wake(): void {
    if (this.deps.dispatcher.webhooksSeen() === 0) return;
    this.soon();
  }

  /** A webhook was made here: the next round looks at the log whatever the last one found. */
  webhooksChanged(): void {
    this.deps.dispatcher.webhooksChanged();
    this.soon();
  }

  /** Waits for the round under way; no new one starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  private soon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = true;
      this.again = false;
      this.round = this.runRound().finally(() => {
        this.running = false;
        this.schedule(this.again ? 0 : this.nextDelay());
      });
    }, delayMs);
    this.timer.unref();
  }

  /** The backstop, or sooner when a retry this process scheduled comes due. */
  private nextDelay(): number {
    const retry = this.deps.sender.msUntilRetry();
    return retry === undefined ? this.deps.pollMs : Math.max(0, Math.min(this.deps.pollMs, retry));
  }

  private async runRound(): Promise<void> {
    try {
      while (!this.stopped && (await this.deps.dispatcher.dispatch()) > 0);
      while (!this.stopped && (await this.deps.sender.sendDue()) > 0);
    } catch (error: unknown) {
      this.deps.logger.warn('webhook round failed; the next one retries', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
