import { SettlementQueue, paymentEvents, type LogOutbox, type OutboxQueue, type PolicyClient, type Settlement } from '@nexus/clients';
import { TIMEOUT_MARGIN_MS } from '@nexus/config';
import type { Logger } from '@nexus/service-kit';
import type { PaymentRecord, PaymentStore } from '@nexus/stores';
import { fromBaseUnits } from '@nexus/types';
import { paymentView } from '../views';

/** The payment service's own topic in its outbox: the ends of payments it drove, for the policy. */
export const OUTCOME_TOPIC = 'payment-outcomes';
/** The ends of payments settled while their caller waited, told again once the caller had its chance to settle the hold. */
export const LATE_OUTCOME_TOPIC = 'payment-outcomes-late';
/** A late report is due this long before its hold expires: halfway into the timeout budget's margin past the caller's last step. */
export const LATE_REPORT_LEAD_MS = TIMEOUT_MARGIN_MS / 2;

/** Tells the policy how a payment ended, so its hold is committed (money moved) or released (nothing moved). */
export interface OutcomeReports {
  committed(payment: PaymentRecord): Promise<void>;
  released(payment: PaymentRecord): Promise<void>;
  /** The payment may still land and its end is not known: its hold is kept (counted) past its expiry. */
  pinned(payment: PaymentRecord): Promise<void>;
  /**
   * A payment about to end while its caller (the gateway) waits: the caller
   * settles its hold, but may have gone (a timeout, or this service died
   * before it answered). Shortly before the hold expires (by then every step
   * of the caller's call is over, as the timeout budget checks at start), the
   * ledger's word then is told to the policy: commit (it moved), release
   * (failed, refunded); a hold the caller settled is left as it is. So the
   * hold never stops being counted while its money may have moved.
   */
  settlingInRequest(payment: PaymentRecord, holdExpiresAt: Date): Promise<void>;
}

/**
 * The reports go through the payment service's durable outbox (the same
 * settlement queue the gateway uses): stored before they are sent, retried
 * while the policy is away. A hold the gateway settled first is done.
 */
export class PolicyOutcomeReports implements OutcomeReports {
  readonly queue: SettlementQueue;
  readonly late: SettlementQueue;
  private readonly leadMs: number;

  constructor(
    private readonly deps: {
      queue: OutboxQueue;
      policy: Pick<PolicyClient, 'commit' | 'release' | 'pin'>;
      logger: Logger;
      /** the ledger, read when a late report is due */
      ledger: Pick<PaymentStore, 'get'>;
      /** the audit trail: a late report logs the payment's end too (its caller, gone, never did) */
      audit?: Pick<LogOutbox, 'record'>;
      /** how long before its hold expires a late report is due (at once if that is past); 5 s by default */
      leadMs?: number;
      pollMs?: number;
    },
  ) {
    const shared = {
      queue: deps.queue,
      policy: deps.policy,
      logger: deps.logger,
      settledElsewhereIsDone: true,
      ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
    };
    this.queue = new SettlementQueue({ ...shared, topic: OUTCOME_TOPIC });
    this.late = new SettlementQueue({ ...shared, topic: LATE_OUTCOME_TOPIC, revise: (settlement) => this.fromLedger(settlement) });
    this.leadMs = deps.leadMs ?? LATE_REPORT_LEAD_MS;
  }

  start(): this {
    this.queue.start();
    this.late.start();
    return this;
  }

  async committed(payment: PaymentRecord): Promise<void> {
    if (!payment.reservationId) return;
    await this.queue.defer({
      action: 'commit',
      reservationId: payment.reservationId,
      amount: fromBaseUnits(payment.amount),
      paymentId: payment.id,
    });
    void this.queue.drain();
  }

  async released(payment: PaymentRecord): Promise<void> {
    if (!payment.reservationId) return;
    await this.queue.defer({
      action: 'release',
      reservationId: payment.reservationId,
      reason: failedReason(payment),
      paymentId: payment.id,
    });
    void this.queue.drain();
  }

  async pinned(payment: PaymentRecord): Promise<void> {
    if (!payment.reservationId) return;
    await this.queue.defer({ action: 'pin', reservationId: payment.reservationId, paymentId: payment.id });
    void this.queue.drain();
  }

  async settlingInRequest(payment: PaymentRecord, holdExpiresAt: Date): Promise<void> {
    if (!payment.reservationId) return;
    const settlement: Settlement = {
      action: 'commit',
      reservationId: payment.reservationId,
      amount: fromBaseUnits(payment.amount),
      paymentId: payment.id,
    };
    await this.late.defer(settlement, new Date(Math.max(Date.now(), holdExpiresAt.getTime() - this.leadMs)));
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.late.close()]);
  }

  /** What the ledger says now: moved → commit; failed or refunded → release; still PENDING → the pending driver will tell. */
  private async fromLedger(settlement: Settlement): Promise<Settlement | undefined> {
    const payment = settlement.paymentId ? await this.deps.ledger.get(settlement.paymentId) : undefined;
    if (!payment?.reservationId) return undefined;
    const { reservationId } = payment;
    // The same event the gateway logs when it sees this end: told twice, it is stored once.
    if (payment.status !== 'PENDING') await this.deps.audit?.record(paymentEvents(paymentView(payment)));
    switch (payment.status) {
      case 'SUCCESS':
      case 'MOCK':
        return { action: 'commit', reservationId, amount: fromBaseUnits(payment.amount), paymentId: payment.id };
      case 'FAILED':
        return { action: 'release', reservationId, reason: failedReason(payment), paymentId: payment.id };
      case 'REFUNDED':
        return { action: 'release', reservationId, reason: `payment ${payment.id} was refunded`, paymentId: payment.id };
      case 'PENDING':
        return undefined;
    }
  }
}

const failedReason = (payment: PaymentRecord) => `payment ${payment.id} failed: ${payment.failure?.code ?? 'unknown'}`;
