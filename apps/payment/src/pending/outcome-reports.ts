import { SettlementQueue, type OutboxQueue, type PolicyClient } from '@nexus/clients';
import type { Logger } from '@nexus/service-kit';
import type { PaymentRecord } from '@nexus/stores';
import { fromBaseUnits } from '@nexus/types';

/** The payment service's own topic in its outbox: the ends of payments it drove, for the policy. */
export const OUTCOME_TOPIC = 'payment-outcomes';

/** Tells the policy how a payment ended, so its hold is committed (money moved) or released (nothing moved). */
export interface OutcomeReports {
  committed(payment: PaymentRecord): Promise<void>;
  released(payment: PaymentRecord): Promise<void>;
}

/**
 * The reports go through the payment service's durable outbox (the same
 * settlement queue the gateway uses): stored before they are sent, retried
 * while the policy is away. A hold the gateway settled first is done.
 */
export class PolicyOutcomeReports implements OutcomeReports {
  readonly queue: SettlementQueue;

  constructor(deps: { queue: OutboxQueue; policy: Pick<PolicyClient, 'commit' | 'release'>; logger: Logger; pollMs?: number }) {
    this.queue = new SettlementQueue({ ...deps, topic: OUTCOME_TOPIC, settledElsewhereIsDone: true });
  }

  start(): this {
    this.queue.start();
    return this;
  }

  async committed(payment: PaymentRecord): Promise<void> {
    if (!payment.reservationId) return;
    await this.queue.defer({ action: 'commit', reservationId: payment.reservationId, amount: fromBaseUnits(payment.amount) });
    void this.queue.drain();
  }

  async released(payment: PaymentRecord): Promise<void> {
    if (!payment.reservationId) return;
    const reason = `payment ${payment.id} failed: ${payment.failure?.code ?? 'unknown'}`;
    await this.queue.defer({ action: 'release', reservationId: payment.reservationId, reason });
    void this.queue.drain();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
