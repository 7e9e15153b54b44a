import { z } from 'zod';
import {
  backoffDelay,
  DEFAULT_OUTBOX_BACKOFF,
  isServiceCallError,
  type BackoffSettings,
  type OutboxQueue,
  type PolicyClient,
} from '@nexus/clients';
import { describeError, type Logger } from '@nexus/service-kit';
import { Money } from '@nexus/types';

export const SETTLEMENT_TOPIC = 'policy-settlements';

/** A commit or release of a hold that the policy service could not take when the call ended. */
export const Settlement = z.discriminatedUnion('action', [
  z.object({ action: z.literal('commit'), reservationId: z.string(), amount: Money }),
  z.object({ action: z.literal('release'), reservationId: z.string(), reason: z.string() }),
]);
export type Settlement = z.infer<typeof Settlement>;

export interface SettlementQueueDeps {
  /** the gateway's durable queue (the outbox store), under its own topic */
  queue: OutboxQueue;
  policy: Pick<PolicyClient, 'commit' | 'release'>;
  logger: Logger;
  backoff?: BackoffSettings;
  /** how often the queue is looked at; 1 s by default */
  pollMs?: number;
}

/**
 * Settles holds the policy could not settle at the end of a call (it was
 * down): the commit or release is stored with the gateway's outbox, so a
 * restart loses nothing, and retried with backoff until the policy takes
 * it. One the policy refuses for good (the hold expired first, so a paid
 * amount is no longer counted as spend) is kept as dead and logged as an
 * error for the reconciliation.
 */
export class SettlementQueue {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private readonly backoff: BackoffSettings;

  constructor(private readonly deps: SettlementQueueDeps) {
    this.backoff = deps.backoff ?? DEFAULT_OUTBOX_BACKOFF;
  }

  /** Stores the settlement for a later try; returns once it is durable. */
  async defer(settlement: Settlement): Promise<void> {
    const entry = { id: `${settlement.action}:${settlement.reservationId}`, payload: JSON.stringify(settlement) };
    await this.deps.queue.enqueue(SETTLEMENT_TOPIC, [entry], new Date());
  }

  start(): this {
    this.timer ??= setInterval(() => void this.drain(), this.deps.pollMs ?? 1_000);
    this.timer.unref();
    return this;
  }

  /** Tries every settlement that is due, once; concurrent calls share one pass. */
  drain(): Promise<void> {
    this.draining ??= this.pass().finally(() => (this.draining = undefined));
    return this.draining;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.draining;
  }

  private async pass(): Promise<void> {
    try {
      for (const message of await this.deps.queue.due(SETTLEMENT_TOPIC, 50, new Date())) {
        const parsed = Settlement.safeParse(JSON.parse(message.payload));
        if (!parsed.success) {
          await this.deps.queue.deadLetter(SETTLEMENT_TOPIC, [message.seq], 'not a settlement', new Date());
          continue;
        }
        await this.settle(parsed.data, message.seq, message.attempts);
      }
    } catch (error: unknown) {
      this.deps.logger.warn('could not read the settlement queue; trying again shortly', { error: describeError(error) });
    }
  }

  private async settle(settlement: Settlement, seq: number, attempts: number): Promise<void> {
    try {
      if (settlement.action === 'commit') await this.deps.policy.commit(settlement.reservationId, settlement.amount);
      else await this.deps.policy.release(settlement.reservationId, settlement.reason);
      await this.deps.queue.remove(SETTLEMENT_TOPIC, [seq]);
      this.deps.logger.info(`deferred ${settlement.action} done`, { reservationId: settlement.reservationId });
    } catch (error: unknown) {
      if (isServiceCallError(error) && error.transient) {
        const nextAttemptAt = new Date(Date.now() + backoffDelay(attempts + 1, this.backoff));
        await this.deps.queue.recordFailure(SETTLEMENT_TOPIC, [seq], { error: error.message, nextAttemptAt });
        return;
      }
      const reason = error instanceof Error ? error.message : 'refused';
      await this.deps.queue.deadLetter(SETTLEMENT_TOPIC, [seq], reason.slice(0, 500), new Date());
      this.deps.logger.error(`the policy refused a deferred ${settlement.action}; reconcile this hold`, {
        reservationId: settlement.reservationId,
        error: describeError(error),
      });
    }
  }
}
