import { paymentEvents, type LogOutbox } from '@nexus/clients';
import { newId, describeError, type Logger } from '@nexus/service-kit';
import type { PaymentMethod, PaymentRecord, PaymentStore } from '@nexus/stores';
import type { ResolveResult, Settler } from '../settler';
import { paymentView } from '../views';
import type { OutcomeReports } from './outcome-reports';

export interface PendingDriverDeps {
  store: Pick<PaymentStore, 'listUnattended' | 'lease' | 'releaseLease' | 'markSettled' | 'markFailed'>;
  settler: Pick<Settler, 'resolve' | 'mode'>;
  /**
   * Payments the router never carries, ended by their own method's resolver
   * instead of the settler: `x402-out` by the chain's word on the treasury's
   * authorization. A payment of a method without one goes to the settler.
   */
  resolvers?: Partial<Record<PaymentMethod, (payment: PaymentRecord) => Promise<ResolveResult>>> | undefined;
  /** where the end of each driven payment goes, durably, for the policy (commit or release of its hold) */
  reports: Pick<OutcomeReports, 'committed' | 'released' | 'pinned'>;
  /** the audit trail: the end of each driven payment is logged, as the gateway logs the ends it sees */
  audit: Pick<LogOutbox, 'record'>;
  logger: Logger;
  /** the lease taken on each payment while it is looked at (the same lease the pay path takes) */
  leaseMs: number;
  /** an unleased PENDING payment untouched this long is nobody's; 5 s by default */
  idleMs?: number;
  /** how often the ledger is looked at; 5 s by default */
  intervalMs?: number;
  /** payments looked at per pass; 100 by default */
  batchSize?: number;
  instanceId?: string;
  clock?: () => Date;
}

export interface DrivePass {
  settled: number;
  failed: number;
  stillPending: number;
}

/**
 * Drives every PENDING payment that nobody is settling (its settler died,
 * gave up on a silent chain, or let it go) to SUCCESS or FAILED by asking the
 * chain, at start-up and then in the background, and reports each end to the
 * policy through the durable outcome reports: commit on SUCCESS, release on
 * FAILED. One replica at a time looks at a payment (the ledger's lease).
 */
export class PendingDriver {
  private readonly owner: string;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DrivePass> | undefined;

  constructor(private readonly deps: PendingDriverDeps) {
    this.owner = deps.instanceId ?? newId('driver');
    this.now = deps.clock ?? (() => new Date());
  }

  /** A first pass now (the payments a previous run left PENDING), then one every interval. */
  start(): this {
    void this.pass();
    this.timer ??= setInterval(() => void this.pass(), this.deps.intervalMs ?? 5_000);
    this.timer.unref();
    return this;
  }

  /** One look at every unattended PENDING payment; concurrent calls share one pass. */
  pass(): Promise<DrivePass> {
    this.running ??= this.drive()
      .catch((error: unknown) => {
        this.deps.logger.warn('could not drive the pending payments; trying again shortly', { error: describeError(error) });
        return { settled: 0, failed: 0, stillPending: 0 };
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async drive(): Promise<DrivePass> {
    const summary: DrivePass = { settled: 0, failed: 0, stillPending: 0 };
    const now = this.now();
    const idleSince = new Date(now.getTime() - (this.deps.idleMs ?? 5_000));
    const unattended = await this.deps.store.listUnattended(now, idleSince, this.deps.batchSize ?? 100);
    for (const candidate of unattended) {
      const leased = await this.deps.store.lease(candidate.id, this.owner, this.now(), new Date(this.now().getTime() + this.deps.leaseMs));
      if (!leased) continue;
      summary[await this.driveLeased(leased)] += 1;
    }
    return summary;
  }

  private async driveLeased(payment: PaymentRecord): Promise<keyof DrivePass> {
    const resolver = payment.method === undefined ? undefined : this.deps.resolvers?.[payment.method];
    const verdict: ResolveResult = resolver
      ? await resolver(payment)
      : payment.method === 'x402-out'
        ? // never the router's word on a payment it does not carry: it stays pinned until a resolver can tell
          { kind: 'pending', message: 'no resolver for x402-out payments in this process' }
        : await this.deps.settler.resolve(payment);
    switch (verdict.kind) {
      case 'settled': {
        // The chain's word is final: the commit is stored before the ledger moves, so a crash in between loses neither.
        await this.deps.reports.committed(payment);
        const status = this.deps.settler.mode === 'mock' && !resolver ? 'MOCK' : 'SUCCESS';
        const { txHash, blockNumber, gasUsed } = verdict;
        const settled = await this.deps.store.markSettled(payment.id, { status, txHash, blockNumber, gasUsed }, this.now());
        await this.deps.audit.record(paymentEvents(paymentView(settled)));
        this.deps.logger.info('pending payment settled', {
          paymentId: payment.id,
          txHash: verdict.txHash,
          blockNumber: verdict.blockNumber,
        });
        return 'settled';
      }
      case 'failed': {
        // Nothing moved: the ledger first; a release lost to a crash only leaves the hold to expire.
        const failed = await this.deps.store.markFailed(payment.id, { code: verdict.code, message: verdict.message }, this.now());
        if (failed.status === 'FAILED') await this.deps.reports.released(failed);
        await this.deps.audit.record(paymentEvents(paymentView(failed)));
        this.deps.logger.warn('pending payment failed', { paymentId: payment.id, code: verdict.code, reason: verdict.message });
        return 'failed';
      }
      case 'pending':
        // Left PENDING by a crash or a silent chain: its hold is kept past its expiry (a pin is idempotent).
        await this.deps.reports.pinned(payment);
        await this.deps.store.releaseLease(payment.id, this.owner, this.now());
        this.deps.logger.info('payment still pending', { paymentId: payment.id, reason: verdict.message });
        return 'stillPending';
    }
  }
}
