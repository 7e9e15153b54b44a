import type { KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { paymentRefOf } from '@nexus/chain';
import { signReceipt } from '@nexus/clients';
import { AppError, conflict, newId, notFound, validationError, type Logger } from '@nexus/service-kit';
import { InvalidCursorError, type PaymentRecord, type PaymentStore } from '@nexus/stores';
import {
  RECEIPT_TTL_SECONDS,
  type Payment,
  type PaymentList,
  type PaymentListQuery,
  type PayRequest,
  type RefundRequest,
  type TreasuryView,
  type VerifyRequest,
  type VerifyResult,
} from '@nexus/types';
import { grantInvalid, type GrantReader, type PaymentOrder } from './grants/grant-reader';
import type { PaymentMetrics } from './payment-metrics';
import type { OutcomeReports } from './pending/outcome-reports';
import { LeaseLostError, type SettleResult, type Settler } from './settler';
import { paymentView, treasuryView } from './views';
import { verifyPayment } from './verify';

/** A replay past this much of a receipt's life gets a fresh one, so a provider always has a minute at least to check it. */
const RECEIPT_REISSUE_AFTER_MS = (RECEIPT_TTL_SECONDS - 60) * 1000;

export interface PaymentServiceDeps {
  store: PaymentStore;
  settler: Settler;
  /** verifies the policy's grants and names the payee from our own services.yaml */
  grants: GrantReader;
  metrics: PaymentMetrics;
  logger: Logger;
  /** how long one settler may hold a pending payment before another may take over */
  leaseMs: number;
  /** where the end of a payment settled in the request is told again, late, for a caller that went away (see OutcomeReports) */
  reports?: Pick<OutcomeReports, 'settlingInRequest' | 'pinned'>;
  /** mock mode: signs the receipt of each payment for its provider (PAYMENT_RECEIPT_PRIVATE_KEY) */
  receiptKey?: KeyObject | undefined;
  /** names this process as a lease owner */
  instanceId?: string;
  /** told after each payment that moved money (the treasury monitor reads the balance again) */
  onSettled?: () => void;
  clock?: () => Date;
}

/**
 * Pays reservations exactly once, each only on the policy's live grant: at
 * most its amount, to the payee our own services.yaml names, once per
 * reservation. The ledger row (unique idempotency key and reservation) is
 * written before anything is sent; one settler at a time (an in-process
 * single flight, and a lease across replicas) moves the money; a retry with
 * the same key gets the first payment and sends nothing.
 */
export class PaymentService {
  private readonly inFlight = new Map<string, Promise<PaymentRecord>>();
  private readonly owner: string;
  private readonly now: () => Date;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.owner = deps.instanceId ?? newId('settler');
    this.now = deps.clock ?? (() => new Date());
  }

  get mode() {
    return this.deps.settler.mode;
  }

  async pay(request: PayRequest): Promise<Payment> {
    const { order, expired } = await this.deps.grants.read(request.grant, this.now(), 'provider');
    const { payment, created } = expired ? await this.replayOfExpired(order, request) : await this.open(order, request);
    if (!created) {
      // 409, not 403: a payment of this hold exists, so its caller must not take the refusal as "nothing moved".
      if (payment.idempotencyKey !== request.idempotencyKey)
        throw conflict(
          'RESERVATION_ALREADY_PAID',
          `reservation ${order.reservationId} was already paid (payment ${payment.id}) under another idempotency key; nothing more was paid`,
        );
      assertSameRequest(payment, order, request.idempotencyKey);
      this.deps.metrics.replayed();
    }
    const final = payment.status === 'PENDING' ? await this.settleOnce(payment, order.expiresAt) : payment;
    return this.withReceipt(paymentView(final, { replayed: !created }));
  }

  /**
   * A mock payment's answer carries the signed receipt its provider checks
   * on its own (chain mode: the chain is the proof). It is dated when the
   * payment was made, so a replay gets the same receipt while that one is
   * good for a while yet, and a fresh one after.
   */
  private async withReceipt(payment: Payment): Promise<Payment> {
    const key = this.deps.receiptKey;
    if (!key || payment.status !== 'MOCK') return payment;
    const now = this.now();
    const made = new Date(payment.settledAt ?? payment.createdAt);
    const issuedAt = now.getTime() - made.getTime() < RECEIPT_REISSUE_AFTER_MS ? made : now;
    const terms = { paymentId: payment.id, serviceId: payment.serviceId, payee: payment.payee, amount: payment.amount };
    return { ...payment, receipt: await signReceipt(terms, key, issuedAt) };
  }

  private open(order: PaymentOrder, request: PayRequest) {
    const id = newId('pay');
    return this.deps.store.open(
      {
        id,
        idempotencyKey: request.idempotencyKey,
        agentId: order.agentId,
        serviceId: order.serviceId,
        payee: order.payee,
        amount: order.amount,
        decisionId: order.decisionId,
        reservationId: order.reservationId,
        mode: this.mode,
        paymentRef: this.mode === 'chain' ? paymentRefOf(id) : null,
      },
      this.now(),
    );
  }

  /** An expired grant opens nothing; it only gets back the payment made under it in time, by the same key. */
  private async replayOfExpired(order: PaymentOrder, request: PayRequest): Promise<{ payment: PaymentRecord; created: false }> {
    const payment = await this.deps.store.findByIdempotencyKey(request.idempotencyKey);
    if (!payment || payment.reservationId !== order.reservationId)
      throw grantInvalid(`the grant's hold expired at ${order.expiresAt.toISOString()}`);
    return { payment, created: false };
  }

  async get(id: string): Promise<Payment> {
    return paymentView(await this.mustGet(id));
  }

  async list(query: PaymentListQuery): Promise<PaymentList> {
    try {
      const page = await this.deps.store.list({ ...query });
      return { items: page.items.map((item) => paymentView(item)), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError)
        throw validationError('invalid request query', [{ path: 'query.cursor', message: error.message }], { cause: error });
      throw error;
    }
  }

  verify(request: VerifyRequest): Promise<VerifyResult> {
    return verifyPayment(request, this.deps.store, this.deps.settler);
  }

  async refund(id: string, request: RefundRequest): Promise<Payment> {
    const payment = await this.mustGet(id);
    if (payment.status === 'REFUNDED') return paymentView(payment, { replayed: true });
    if (payment.status !== 'SUCCESS' && payment.status !== 'MOCK') {
      throw conflict('PAYMENT_NOT_REFUNDABLE', `payment ${id} is ${payment.status}: only a settled payment can be refunded`);
    }
    // An x402 payment moved by the payer's own authorization, not through the router: the router cannot refund it.
    if (payment.method === 'x402' || payment.method === 'x402-out')
      throw conflict('PAYMENT_NOT_REFUNDABLE', `payment ${id} is an x402 payment: the router holds no payment of it to refund`);
    const result = await this.deps.settler.refund(payment, request.txHash);
    switch (result.kind) {
      case 'refunded': {
        const outcome = await this.deps.store.markRefunded(id, { txHash: result.txHash, reason: request.reason }, this.now());
        if (outcome.outcome === 'not-found') throw notFound('PAYMENT_NOT_FOUND', `no payment ${id}`);
        if (outcome.outcome === 'refunded') {
          this.deps.metrics.refunded();
          this.deps.logger.info('payment refunded', { paymentId: id, txHash: result.txHash, reason: request.reason });
        }
        return paymentView(outcome.payment, { replayed: outcome.outcome !== 'refunded' });
      }
      case 'not-signable':
        throw new AppError('REFUND_NOT_SIGNABLE', result.message);
      case 'not-verified':
        throw new AppError('REFUND_NOT_VERIFIED', result.message);
      case 'unavailable':
        throw new AppError('CHAIN_UNAVAILABLE', `${result.message}; the payment was not refunded, retry shortly`);
    }
  }

  async treasury(): Promise<TreasuryView> {
    const [state, ledger] = await Promise.all([this.deps.settler.treasury(), this.deps.store.totals()]);
    return treasuryView(this.mode, state, ledger);
  }

  /** `holdExpiresAt`: when the grant's hold expires, by which the caller must have settled it (see `settlingInRequest`). */
  private settleOnce(payment: PaymentRecord, holdExpiresAt: Date): Promise<PaymentRecord> {
    const running = this.inFlight.get(payment.id);
    if (running) return running;
    const settling = this.settle(payment, holdExpiresAt).finally(() => this.inFlight.delete(payment.id));
    this.inFlight.set(payment.id, settling);
    return settling;
  }

  private async settle(payment: PaymentRecord, holdExpiresAt: Date): Promise<PaymentRecord> {
    const leased = await this.deps.store.lease(payment.id, this.owner, this.now(), new Date(this.now().getTime() + this.deps.leaseMs));
    return leased ? this.settleLeased(leased, holdExpiresAt) : this.awaitOtherSettler(payment.id, holdExpiresAt);
  }

  private async settleLeased(payment: PaymentRecord, holdExpiresAt: Date): Promise<PaymentRecord> {
    const started = this.now();
    let result: SettleResult;
    try {
      result = await this.deps.settler.settle(payment, {
        onSubmitted: async (txHash, signed) => {
          const recorded = await this.deps.store.recordSubmission(payment.id, this.owner, { txHash, ...signed }, this.now());
          if (!recorded) throw new LeaseLostError(payment.id);
        },
      });
    } catch (error) {
      // Another settler (the pending driver, another replica) took over: its word is the payment's.
      if (error instanceof LeaseLostError) return this.awaitOtherSettler(payment.id, holdExpiresAt);
      throw error;
    }
    const seconds = (this.now().getTime() - started.getTime()) / 1000;
    // Stored before the ledger moves: told late, from the ledger as it is then, in case the caller went away.
    if (result.kind !== 'unavailable' || !result.mayHaveBeenSent) await this.deps.reports?.settlingInRequest(payment, holdExpiresAt);
    switch (result.kind) {
      case 'settled': {
        const settled = await this.deps.store.markSettled(
          payment.id,
          { status: this.mode === 'mock' ? 'MOCK' : 'SUCCESS', ...result },
          this.now(),
        );
        this.deps.metrics.settled(settled.status, this.mode, seconds);
        this.deps.onSettled?.();
        this.deps.logger.info('payment settled', {
          paymentId: payment.id,
          status: settled.status,
          txHash: settled.txHash,
          blockNumber: settled.blockNumber,
        });
        return settled;
      }
      case 'failed': {
        const failed = await this.deps.store.markFailed(payment.id, { code: result.code, message: result.message }, this.now());
        this.deps.metrics.settled(failed.status, this.mode, seconds);
        this.deps.logger.warn('payment failed', { paymentId: payment.id, code: result.code, reason: result.message });
        return failed;
      }
      case 'unavailable': {
        this.deps.metrics.chainUnavailable();
        if (!result.mayHaveBeenSent) {
          const failed = await this.deps.store.markFailed(
            payment.id,
            { code: 'CHAIN_UNAVAILABLE', message: `${result.message}; nothing was sent` },
            this.now(),
          );
          this.deps.metrics.settled(failed.status, this.mode, seconds);
          throw chainUnavailable(`${result.message}; nothing was sent and the payment is FAILED`, failed);
        }
        // Its hold must outlive its own expiry until the pending driver knows how this ends.
        await this.deps.reports?.pinned(payment);
        await this.deps.store.releaseLease(payment.id, this.owner, this.now());
        const pending = await this.mustGet(payment.id);
        throw chainUnavailable(
          `${result.message}; a transaction may be on its way, so the payment stays PENDING: retry with the same idempotency key`,
          pending,
        );
      }
    }
  }

  /** Another replica holds the lease: wait for its outcome, or take over when its lease runs out. */
  private async awaitOtherSettler(id: string, holdExpiresAt: Date): Promise<PaymentRecord> {
    const deadline = Date.now() + this.deps.leaseMs + 1_000;
    while (Date.now() < deadline) {
      const current = await this.mustGet(id);
      if (current.status !== 'PENDING') return current;
      const leased = await this.deps.store.lease(id, this.owner, this.now(), new Date(this.now().getTime() + this.deps.leaseMs));
      if (leased) return this.settleLeased(leased, holdExpiresAt);
      await sleep(50);
    }
    throw new AppError('PAYMENT_PENDING', `payment ${id} is being settled elsewhere; retry with the same idempotency key`);
  }

  private async mustGet(id: string): Promise<PaymentRecord> {
    const payment = await this.deps.store.get(id);
    if (!payment) throw notFound('PAYMENT_NOT_FOUND', `no payment ${id}`);
    return payment;
  }
}

function chainUnavailable(message: string, payment: PaymentRecord): AppError {
  return new AppError('CHAIN_UNAVAILABLE', message, {
    details: [
      { path: 'payment.id', message: payment.id },
      { path: 'payment.status', message: payment.status },
    ],
  });
}

/** A known idempotency key must come with the same grant; anything else is a client bug, not a retry. */
export function assertSameRequest(payment: PaymentRecord, order: PaymentOrder, idempotencyKey: string): void {
  const differs = [
    payment.agentId !== order.agentId && 'agentId',
    payment.serviceId !== order.serviceId && 'serviceId',
    payment.payee.toLowerCase() !== order.payee.toLowerCase() && 'payee',
    payment.amount !== order.amount && 'amount',
    payment.decisionId !== order.decisionId && 'decisionId',
    payment.reservationId !== order.reservationId && 'reservationId',
  ].filter((field): field is string => typeof field === 'string');
  if (differs.length > 0) {
    throw conflict(
      'IDEMPOTENCY_KEY_REUSED',
      `idempotency key ${idempotencyKey} already paid a different grant`,
      differs.map((field) => ({ path: `body.grant.${field}`, message: 'differs from the payment recorded under this key' })),
    );
  }
}
