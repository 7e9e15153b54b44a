import type { Logger } from '@nexus/service-kit';
import type { WebhookDispatcher } from './webhook-dispatcher';
import type { WebhookSender } from './webhook-sender';

export interface WebhookWorkerDeps {
  dispatcher: Pick<WebhookDispatcher, 'dispatch'>;
  sender: Pick<WebhookSender, 'sendDue'>;
  logger: Logger;
  pollMs: number;
}

/**
 * Runs the webhooks in the background: every `pollMs`, enqueue what the live
 * log gained, then post what is due. One round at a time; a round that fails
 * (the store is down) is logged and the next one tries again.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: WebhookWorkerDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Waits for the round under way; no new one starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound().finally(() => this.schedule(this.deps.pollMs));
    }, delayMs);
    this.timer.unref();
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
