import { isServiceCallError, type CallContext, type PolicyClient } from '@nexus/clients';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import type { Decision } from '@nexus/types';
import type { PipelineMetrics } from './pipeline-metrics';
import type { Settlement, SettlementQueue } from './settlement-queue';

/** A granted decision: it has a variant, an amount and a hold. */
export interface Grant {
  decision: Decision;
  variant: string;
  amount: string;
  reservationId: string;
  /** the policy's signed grant (Decision.grant): what the payment service pays on */
  jws: string;
}

export interface HoldsDeps {
  policy: Pick<PolicyClient, 'commit' | 'release' | 'getReservation'>;
  logger: Logger;
  /** the durable queue of commits and releases (see PaidCallPipelineDeps) */
  settlements?: Pick<SettlementQueue, 'defer' | 'drain'> | undefined;
  metrics?: PipelineMetrics | undefined;
}

/** The granted decision, or a 502 when the policy granted one without a variant, amount, hold or grant. */
export function grantOf(decision: Decision): Grant {
  if (decision.variant === null || decision.amount === null || decision.reservationId === null || decision.grant === null)
    throw new AppError('UPSTREAM_ERROR', `policy granted decision ${decision.id} without a variant, amount, hold or grant`);
  return { decision, variant: decision.variant, amount: decision.amount, reservationId: decision.reservationId, jws: decision.grant };
}

/**
 * The end of a paid call's hold, as the gateway tells the policy: commit
 * (money moved) or release (nothing did). What the policy cannot take now
 * waits in the durable settlement queue, so nothing is lost to an outage.
 */
export class Holds {
  constructor(private readonly deps: HoldsDeps) {}

  /**
   * A replayed decision whose hold is released or expired: an earlier attempt
   * ended, so this one must not pay. A HELD hold is a call to resume; so is a
   * COMMITTED one (a payment that moved, committed by the payment service
   * after an unknown end): the same key replays that payment and the provider
   * serves it if it never did, so a paid call is served once.
   */
  async staleReplay(grant: Grant, context: CallContext): Promise<AppError | undefined> {
    const reservation = await this.deps.policy.getReservation(grant.reservationId, context);
    if (reservation.status === 'HELD' || reservation.status === 'COMMITTED') return undefined;
    return new AppError(
      reservation.status === 'EXPIRED' ? 'RESERVATION_EXPIRED' : 'RESERVATION_ALREADY_SETTLED',
      `an earlier attempt with this idempotency key already ended (its hold is ${reservation.status}); use a new key to call again`,
    );
  }

  /**
   * The provider served: the commit is stored in the durable queue and the
   * answer goes out; the queue hands it to the policy at once, batched with
   * other calls' commits. Until then the hold stays counted (as reserved),
   * so nothing can be overspent meanwhile, and a restart loses nothing.
   * Without a queue, or when it cannot store it, the commit is made here.
   */
  async commitAfterServing(grant: Grant, amount: string, context: CallContext): Promise<void> {
    const queue = this.deps.settlements;
    if (queue) {
      try {
        await queue.defer({ action: 'commit', reservationId: grant.reservationId, amount });
        queue.drain().catch((error: unknown) => this.deps.logger.warn('the commit queue did not drain', { error: describeError(error) }));
        return;
      } catch (error: unknown) {
        this.deps.logger.warn('could not queue a commit; committing now', {
          reservationId: grant.reservationId,
          error: describeError(error),
        });
      }
    }
    await this.commit(grant, amount, context);
  }

  async commit(grant: Grant, amount: string, context: CallContext): Promise<void> {
    try {
      await this.deps.policy.commit(grant.reservationId, amount, context);
    } catch (error: unknown) {
      await this.settleFailed({ action: 'commit', reservationId: grant.reservationId, amount }, grant, error);
    }
  }

  async release(grant: Grant, reason: string, context: CallContext): Promise<void> {
    try {
      await this.deps.policy.release(grant.reservationId, reason, context);
    } catch (error: unknown) {
      await this.settleFailed({ action: 'release', reservationId: grant.reservationId, reason }, grant, error);
    }
  }

  /**
   * The policy did not take a commit or release (after the client's retries).
   * While it is down, the settlement waits in the durable queue; one it
   * refused (the hold expired first) is an error to reconcile.
   */
  private async settleFailed(settlement: Settlement, grant: Grant, error: unknown): Promise<void> {
    const step = settlement.action;
    this.deps.metrics?.settleFailures.inc({ step });
    const details = { reservationId: grant.reservationId, decisionId: grant.decision.id, error: describeError(error) };
    if (this.deps.settlements && isServiceCallError(error) && error.transient) {
      try {
        await this.deps.settlements.defer(settlement);
        this.deps.logger.warn(`the policy is unavailable; the ${step} of this hold is queued and retried`, details);
        return;
      } catch (queueError: unknown) {
        this.deps.logger.error(`could not queue the ${step} of a hold`, { ...details, queueError: describeError(queueError) });
      }
    }
    this.deps.logger.error(`could not ${step} a hold; it expires on its own`, details);
  }
}
