import { z } from 'zod';
import type { PolicyClient } from '../policy-client';
import { isServiceCallError } from '../service-call-error';
import { backoffDelay, DEFAULT_OUTBOX_BACKOFF, type BackoffSettings } from './outbox-backoff';
import type { OutboxQueue } from './outbox-queue';
import { describeError, type Logger } from '@nexus/service-kit';
import { Money, type CommitBatchResponse } from '@nexus/types';

export const SETTLEMENT_TOPIC = 'policy-settlements';

/** How many messages one pass reads; also the most commits one request carries. */
const PASS_SIZE = 50;

/** A commit or release of a hold that the policy service could not take when the call ended. */
export const Settlement = z.discriminatedUnion('action', [
  z.object({ action: z.literal('commit'), reservationId: z.string(), amount: Money, paymentId: z.string().optional() }),
  z.object({ action: z.literal('release'), reservationId: z.string(), reason: z.string(), paymentId: z.string().optional() }),
  /** the hold's payment may still land: keep it held past its expiry until a commit or release comes */
  z.object({ action: z.literal('pin'), reservationId: z.string(), paymentId: z.string().optional() }),
]);
export type Settlement = z.infer<typeof Settlement>;

type CommitSettlement = Extract<Settlement, { action: 'commit' }>;

/** A due commit as read from the queue. */
interface QueuedCommit {
  settlement: CommitSettlement;
  seq: number;
  attempts: number;
}

export interface SettlementQueueDeps {
  /** the gateway's durable queue (the outbox store), under its own topic */
  queue: OutboxQueue;
  policy: Pick<PolicyClient, 'commit' | 'release' | 'pin'> & Partial<Pick<PolicyClient, 'commitMany'>>;
  /**
   * Commits that are due together go to the policy in one request
   * (`commitMany`), each answered in its place: the gateway's queue, where a
   * served call's commit waits. Off by default, and never with `revise`.
   */
  batchCommits?: boolean;
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
  /** a drain was asked for while a pass ran: another pass follows it */
  private again = false;
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

  /**
   * Tries every settlement that is due, until none is left that was due when
   * it was called. Concurrent calls share the run: one made while a pass is
   * under way gets another pass after it, so settlements queued meanwhile
   * go out together in the next one.
   */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.passes().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      if ((await this.pass()) === PASS_SIZE) this.again = true;
    } while (this.again);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.draining;
  }

  /** One pass over what is due; returns how many messages it read. */
  private async pass(): Promise<number> {
    try {
      const due = await this.deps.queue.due(this.topic, PASS_SIZE, new Date());
      const commits: QueuedCommit[] = [];
      for (const message of due) {
        const parsed = Settlement.safeParse(JSON.parse(message.payload));
        if (!parsed.success) {
          await this.deps.queue.deadLetter(this.topic, [message.seq], 'not a settlement', new Date());
          continue;
        }
        const settlement = parsed.data;
        if (settlement.action === 'commit' && this.batching()) commits.push({ settlement, seq: message.seq, attempts: message.attempts });
        else await this.settle(settlement, message.seq, message.attempts);
      }
      if (commits.length > 0) await this.commitBatch(commits);
      return due.length;
    } catch (error: unknown) {
      this.deps.logger.warn('could not read the settlement queue; trying again shortly', { error: describeError(error) });
      return 0;
    }
  }

  private batching(): boolean {
    return this.deps.batchCommits === true && this.deps.revise === undefined && this.deps.policy.commitMany !== undefined;
  }

  /** The due commits in one request; each one's answer settles its message as a lone commit's would. */
  private async commitBatch(commits: readonly QueuedCommit[]): Promise<void> {
    const commitMany = this.deps.policy.commitMany;
    if (!commitMany) return;
    let results: CommitBatchResponse['results'];
    try {
      ({ results } = await commitMany.call(
        this.deps.policy,
        commits.map(({ settlement }) => ({ reservationId: settlement.reservationId, amount: settlement.amount })),
      ));
    } catch (error: unknown) {
      for (const commit of commits) await this.failed(commit.settlement, commit.seq, commit.attempts, error);
      return;
    }
    const done: number[] = [];
    for (const [index, commit] of commits.entries()) {
      const result = results[index];
      if (result && 'reservation' in result && result.reservationId === commit.settlement.reservationId) done.push(commit.seq);
      else if (result && 'error' in result) await this.refused(commit.settlement, commit.seq, result.error.code, result.error.message);
      else await this.refused(commit.settlement, commit.seq, 'UPSTREAM_ERROR', 'the policy did not answer this commit in its place');
    }
    if (done.length > 0) await this.deps.queue.remove(this.topic, done);
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
      this.deps.logger.debug(`deferred ${settlement.action} done`, { reservationId: settlement.reservationId });
    } catch (error: unknown) {
      await this.failed(settlement, seq, attempts, error);
    }
  }

  /** A try that did not settle: put off when the policy may take it later, refused for good otherwise. */
  private async failed(settlement: Settlement, seq: number, attempts: number, error: unknown): Promise<void> {
    if (isServiceCallError(error) && error.transient) {
      const nextAttemptAt = new Date(Date.now() + backoffDelay(attempts + 1, this.backoff));
      await this.deps.queue.recordFailure(this.topic, [seq], { error: error.message, nextAttemptAt });
      return;
    }
    const code = isServiceCallError(error) ? error.code : 'INTERNAL_ERROR';
    await this.refused(settlement, seq, code, error instanceof Error ? error.message : 'refused', error);
  }

  /**
   * The policy refused it: a hold another service already settled is done
   * when the sender allows it; anything else is kept as dead and logged for
   * the reconciliation.
   */
  private async refused(settlement: Settlement, seq: number, code: string, message: string, error?: unknown): Promise<void> {
    if (this.deps.settledElsewhereIsDone && code === 'RESERVATION_ALREADY_SETTLED') {
      await this.deps.queue.remove(this.topic, [seq]);
      this.deps.logger.info(`the hold was already settled; the ${settlement.action} is not needed`, {
        reservationId: settlement.reservationId,
      });
      return;
    }
    await this.deps.queue.deadLetter(this.topic, [seq], message.slice(0, 500), new Date());
    this.deps.logger.error(`the policy refused a deferred ${settlement.action}; reconcile this hold`, {
      reservationId: settlement.reservationId,
      code,
      ...(error === undefined ? { message } : { error: describeError(error) }),
    });
  }
}
