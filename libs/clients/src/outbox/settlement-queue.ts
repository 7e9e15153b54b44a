import { z } from 'zod';
import type { PolicyClient } from '../policy-client';
import { isServiceCallError } from '../service-call-error';
import { backoffDelay, DEFAULT_OUTBOX_BACKOFF, type BackoffSettings } from './outbox-backoff';
import type { OutboxQueue } from './outbox-queue';
import { describeError, type Logger } from '@nexus/service-kit';
import { Money } from '@nexus/types';

export const SETTLEMENT_TOPIC = 'policy-settlements';

/** A commit or release of a hold that the policy service could not take when the call ended. */
export const Settlement = z.discriminatedUnion('action', [
  z.object({ action: z.literal('commit'), reservationId: z.string(), amount: Money, paymentId: z.string().optional() }),
  z.object({ action: z.literal('release'), reservationId: z.string(), reason: z.string(), paymentId: z.string().optional() }),
  /** the hold's payment may still land: keep it held past its expiry until a commit or release comes */
  z.object({ action: z.literal('pin'), reservationId: z.string(), paymentId: z.string().optional() }),
]);
export type Settlement = z.infer<typeof Settlement>;

export interface SettlementQueueDeps {
  /** the gateway's durable queue (the outbox store), under its own topic */
  queue: OutboxQueue;
  policy: Pick<PolicyClient, 'commit' | 'release' | 'pin'>;
  logger: Logger;
  backoff?: BackoffSettings;
  /** how often the queue is looked at; 1 s by default */
  pollMs?: number;
  /** the queue's topic; `policy-settlements` by default */
  topic?: string;
  /**
   * The sender reports outcomes another service may have settled first (the
   * payment service after the gateway): a hold the policy says is already
   * settled is then done, not an error.
   */
  settledElsewhereIsDone?: boolean;
  /**
   * Looks again, when a settlement is due, at what it should be now (the
   * ledger may have moved on since it was stored); undefined drops it.
   */
  revise?: (settlement: Settlement) => Promise<Settlement | undefined>;
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
  private readonly topic: string;

  constructor(private readonly deps: SettlementQueueDeps) {
    this.backoff = deps.backoff ?? DEFAULT_OUTBOX_BACKOFF;
    this.topic = deps.topic ?? SETTLEMENT_TOPIC;
  }

  /** Stores the settlement for a later try; returns once it is durable. */
  async defer(settlement: Settlement, notBefore?: Date): Promise<void> {
    const entry = { id: `${settlement.action}:${settlement.reservationId}`, payload: JSON.stringify(settlement) };
    await this.deps.queue.enqueue(this.topic, [entry], new Date(), notBefore);
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
      for (const message of await this.deps.queue.due(this.topic, 50, new Date())) {
        const parsed = Settlement.safeParse(JSON.parse(message.payload));
        if (!parsed.success) {
          await this.deps.queue.deadLetter(this.topic, [message.seq], 'not a settlement', new Date());
          continue;
        }
        await this.settle(parsed.data, message.seq, message.attempts);
      }
    } catch (error: unknown) {
      this.deps.logger.warn('could not read the settlement queue; trying again shortly', { error: describeError(error) });
    }
  }

  private async settle(stored: Settlement, seq: number, attempts: number): Promise<void> {
    let settlement = stored;
    if (this.deps.revise) {
      let revised: Settlement | undefined;
      try {
        revised = await this.deps.revise(stored);
      } catch (error: unknown) {
        const nextAttemptAt = new Date(Date.now() + backoffDelay(attempts + 1, this.backoff));
        await this.deps.queue.recordFailure(this.topic, [seq], {
          error: error instanceof Error ? error.message : 'revise failed',
          nextAttemptAt,
        });
        return;
      }
      if (!revised) {
        await this.deps.queue.remove(this.topic, [seq]);
        return;
      }
      settlement = revised;
    }
    try {
      switch (settlement.action) {
        case 'commit':
          await this.deps.policy.commit(settlement.reservationId, settlement.amount);
          break;
        case 'release':
          await this.deps.policy.release(settlement.reservationId, settlement.reason);
          break;
        case 'pin':
          await this.deps.policy.pin(settlement.reservationId);
          break;
      }
      await this.deps.queue.remove(this.topic, [seq]);
      this.deps.logger.info(`deferred ${settlement.action} done`, { reservationId: settlement.reservationId });
    } catch (error: unknown) {
      if (this.deps.settledElsewhereIsDone && isServiceCallError(error) && error.code === 'RESERVATION_ALREADY_SETTLED') {
        await this.deps.queue.remove(this.topic, [seq]);
        this.deps.logger.info(`the hold was already settled; the ${settlement.action} is not needed`, {
          reservationId: settlement.reservationId,
        });
        return;
      }
      if (isServiceCallError(error) && error.transient) {
        const nextAttemptAt = new Date(Date.now() + backoffDelay(attempts + 1, this.backoff));
        await this.deps.queue.recordFailure(this.topic, [seq], { error: error.message, nextAttemptAt });
        return;
      }
      const reason = error instanceof Error ? error.message : 'refused';
      await this.deps.queue.deadLetter(this.topic, [seq], reason.slice(0, 500), new Date());
      this.deps.logger.error(`the policy refused a deferred ${settlement.action}; reconcile this hold`, {
        reservationId: settlement.reservationId,
        error: describeError(error),
      });
    }
  }
}
