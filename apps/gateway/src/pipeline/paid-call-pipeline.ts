import {
  decisionEvent,
  isServiceCallError,
  paymentEvents,
  transactionEvent,
  type CallContext,
  type LogOutbox,
  type PaymentClient,
  type PolicyClient,
} from '@nexus/clients';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import { MAX_APPROVAL_INPUT_BYTES, type Decision, type InvokeAnswer, type Payment, type RefundOutcome } from '@nexus/types';
import type { PaidService, ServiceDirectory } from '../services/service-directory';
import { internalKey } from './internal-keys';

import type { ApprovedCall, PaidCallOutcome, PaidCallRequest, PaidCalls } from './paid-call-types';
import type { PipelineMetrics } from './pipeline-metrics';
import { precheckGrant } from './precheck-grant';
import { readProviderAnswer, type ProviderVerdict } from './provider-answer';
import { publicDecision, publicPayment } from './public-views';
import type { Settlement, SettlementQueue } from './settlement-queue';

export interface PaidCallPipelineDeps {
  policy: PolicyClient;
  payments: PaymentClient;
  services: ServiceDirectory;
  /** the durable outbox every decision and payment goes through to the logger */
  outbox: Pick<LogOutbox, 'record'>;
  logger: Logger;
  /** how long a provider may take over its paid work */
  providerTimeoutMs: number;
  /**
   * The durable queue of commits and releases: a served call's commit goes
   * there so the answer need not wait for the policy, and so does any commit
   * or release the policy could not take at the end of a call.
   */
  settlements?: Pick<SettlementQueue, 'defer' | 'drain'>;
  metrics?: PipelineMetrics;
}

/** A granted decision: it has a variant, an amount and a hold. */
interface Grant {
  decision: Decision;
  variant: string;
  amount: string;
  reservationId: string;
}

/**
 * docs/architecture.md §2, in one place: decide (and hold) → precheck the input for
 * the granted variant (free) → pay → call the provider
 * with the proof → commit the hold, or release it when nothing was charged
 * (the payment failed, or it was refunded). Every decision and payment is
 * recorded in the outbox before the call goes on, so the audit trail never
 * misses one. From the decision on, no failure escapes as a throw: each
 * becomes an answer saying how far the call got and what became of the money.
 */
export class PaidCallPipeline implements PaidCalls {
  constructor(private readonly deps: PaidCallPipelineDeps) {}

  async run(request: PaidCallRequest): Promise<PaidCallOutcome> {
    const service = this.deps.services.get(request.serviceId);
    const started = process.hrtime.bigint();
    const context: CallContext = request.requestId ? { requestId: request.requestId } : {};
    const key = internalKey(request.agentId, request.idempotencyKey);
    const decision = await this.deps.policy.decide(
      {
        agentId: request.agentId,
        serviceId: request.serviceId,
        ...(request.variant === undefined ? {} : { variant: request.variant }),
        idempotencyKey: key,
        // Kept by the policy only when the call must wait for approval, so an approved call runs as it was asked.
        ...(fitsApproval(request.input) ? { input: request.input } : {}),
      },
      context,
    );
    await this.deps.outbox.record(decisionEvent(decision));
    const outcome =
      decision.action === 'PENDING_APPROVAL'
        ? pendingApproval(decision)
        : await this.afterDecision(decision, service, request, key, context);
    this.observe(request.serviceId, outcome, started);
    return outcome;
  }

  /**
   * The rest of a call an operator approved: precheck, pay on the grant the
   * approval signed, call the provider, commit; as for any granted call.
   */
  async resume(call: ApprovedCall): Promise<PaidCallOutcome> {
    const service = this.deps.services.get(call.request.serviceId);
    const started = process.hrtime.bigint();
    const context: CallContext = call.request.requestId ? { requestId: call.request.requestId } : {};
    const outcome = await this.afterDecision(call.decision, service, call.request, call.paymentKey, context);
    this.observe(call.request.serviceId, outcome, started);
    return outcome;
  }

  private observe(serviceId: string, outcome: PaidCallOutcome, started: bigint): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.deps.metrics?.calls.inc({ service: serviceId, outcome: outcome.kind });
    this.deps.metrics?.duration.observe({ service: serviceId, outcome: outcome.kind }, seconds);
  }

  private async afterDecision(
    decision: Decision,
    service: PaidService,
    request: Omit<PaidCallRequest, 'idempotencyKey'>,
    key: string,
    context: CallContext,
  ): Promise<PaidCallOutcome> {
    const shown = publicDecision(decision);
    if (decision.action === 'REJECTED') return { kind: 'rejected', answer: { decision: shown, payment: null, result: null } };
    if (decision.variant === null || decision.amount === null || decision.reservationId === null || decision.grant === null)
      throw new AppError('UPSTREAM_ERROR', `policy granted decision ${decision.id} without a variant, amount, hold or grant`);
    const grant: Grant = { decision, variant: decision.variant, amount: decision.amount, reservationId: decision.reservationId };

    if (decision.replayed) {
      const stale = await this.staleReplay(grant, context);
      if (stale) return this.failed(grant, stale, null, null);
    }

    // The provider checks the input for the granted variant for free; a refusal is answered before anything is paid.
    const refused = await precheckGrant({ service, variant: grant.variant, input: request.input, context });
    if (refused) {
      await this.release(grant, `precheck: ${refused.message}`.slice(0, 500), context);
      return this.failed(grant, refused, null, null);
    }

    let payment: Payment;
    try {
      // The payment takes amount, service and payee from the policy's signed grant and its own config, not from us.
      payment = await this.deps.payments.pay({ grant: decision.grant, idempotencyKey: key }, context);
    } catch (error: unknown) {
      // The hold goes only when the ledger says nothing moved; anything unknown is left to the payment service.
      const refused = paymentRefused(error);
      if (refused) await this.release(grant, refused, context);
      return this.failed(grant, paymentError(error), null, null);
    }
    const events = paymentEvents(payment);
    if (events.length > 0) await this.deps.outbox.record(events);

    switch (payment.status) {
      case 'FAILED':
        await this.release(grant, `payment failed: ${payment.failure?.code ?? 'unknown'}`, context);
        return this.failed(
          grant,
          new AppError('PAYMENT_FAILED', `the payment failed (${payment.failure?.message ?? 'no reason given'}); nothing was charged`),
          payment,
          null,
        );
      case 'PENDING':
        // It may still land: the hold stays held (counted) until the payment service drives the payment to its end.
        return this.failed(
          grant,
          new AppError(
            'PAYMENT_PENDING',
            `payment ${payment.id} is not confirmed yet; its hold stays counted until the payment service settles it`,
            { status: 504 },
          ),
          payment,
          null,
        );
      case 'REFUNDED':
        await this.release(grant, 'the payment of an earlier attempt was refunded', context);
        return this.failed(
          grant,
          new AppError('PROVIDER_FAILED', `an earlier attempt of this call failed and payment ${payment.id} was refunded`),
          payment,
          null,
        );
      case 'SUCCESS':
      case 'MOCK':
        return this.callProvider(grant, service, request, payment, context);
    }
  }

  private async callProvider(
    grant: Grant,
    service: PaidService,
    request: Omit<PaidCallRequest, 'idempotencyKey'>,
    payment: Payment,
    context: CallContext,
  ): Promise<PaidCallOutcome> {
    let verdict: ProviderVerdict;
    try {
      const answer = await service.client.invoke(
        { variant: grant.variant, input: request.input },
        {
          paymentId: payment.id,
          ...(payment.txHash ? { txHash: payment.txHash } : {}),
          ...(payment.receipt ? { receipt: payment.receipt } : {}),
        },
        { ...context, timeoutMs: this.deps.providerTimeoutMs },
      );
      verdict = readProviderAnswer(service.config.id, answer);
    } catch (error: unknown) {
      verdict =
        isServiceCallError(error) && error.failure === 'timeout'
          ? {
              kind: 'unknown',
              error: new AppError(
                'UPSTREAM_TIMEOUT',
                `${service.config.id} did not answer in time; the payment stands (it may have been served)`,
                { cause: error },
              ),
            }
          : { kind: 'unused', error: asAppError(error, service.config.id) };
    }

    switch (verdict.kind) {
      case 'served':
        await this.commitAfterServing(grant, payment.amount, context);
        return {
          kind: 'served',
          answer: { decision: publicDecision(grant.decision), payment: publicPayment(payment), result: verdict.result },
        };
      case 'refunded_by_provider': {
        // The provider's word is not the ledger's: the hold goes only if the ledger says the money came back.
        const ledger = await this.refundedPayment(payment, context);
        if (ledger.status === 'REFUNDED') await this.release(grant, 'the call failed and the payment was refunded', context);
        else await this.commit(grant, payment.amount, context);
        return this.failed(grant, verdict.error, ledger, verdict.refund);
      }
      case 'unused': {
        const { refund, refunded } = await this.refund(payment, verdict.error.message, context);
        await this.settleAfterRefund(grant, refund, payment.amount, context);
        return this.failed(grant, verdict.error, refunded, refund);
      }
      case 'unknown':
        await this.commit(grant, payment.amount, context);
        return this.failed(grant, verdict.error, payment, null);
    }
  }

  /**
   * A replayed decision whose hold is released or expired: an earlier attempt
   * ended, so this one must not pay. A HELD hold is a call to resume; so is a
   * COMMITTED one (a payment that moved, committed by the payment service
   * after an unknown end): the same key replays that payment and the provider
   * serves it if it never did, so a paid call is served once.
   */
  private async staleReplay(grant: Grant, context: CallContext): Promise<AppError | undefined> {
    const reservation = await this.deps.policy.getReservation(grant.reservationId, context);
    if (reservation.status === 'HELD' || reservation.status === 'COMMITTED') return undefined;
    return new AppError(
      reservation.status === 'EXPIRED' ? 'RESERVATION_EXPIRED' : 'RESERVATION_ALREADY_SETTLED',
      `an earlier attempt with this idempotency key already ended (its hold is ${reservation.status}); use a new key to call again`,
    );
  }

  /** The gateway refunds a payment the provider never used (it refused the call before redeeming, or could not be reached). */
  private async refund(payment: Payment, why: string, context: CallContext): Promise<{ refund: RefundOutcome; refunded: Payment }> {
    try {
      const refunded = await this.deps.payments.refund(payment.id, { reason: `not served: ${why}`.slice(0, 500) }, context);
      await this.deps.outbox.record(transactionEvent(refunded, 'REFUNDED'));
      return {
        refunded,
        refund: { status: 'REFUNDED', paymentId: payment.id, txHash: refunded.refund?.txHash ?? null, message: 'the payment was refunded' },
      };
    } catch (error: unknown) {
      this.deps.metrics?.settleFailures.inc({ step: 'refund' });
      this.deps.logger.error('refund failed: the payment stands', { paymentId: payment.id, error: describeError(error) });
      const message = error instanceof Error ? error.message : 'refund failed';
      return {
        refunded: payment,
        refund: { status: 'FAILED', paymentId: payment.id, txHash: null, message: `the refund failed (${message}); the payment stands` },
      };
    }
  }

  /** The provider says it refunded: the ledger says whether it did; read it back for the hold, the answer and the audit trail. */
  private async refundedPayment(payment: Payment, context: CallContext): Promise<Payment> {
    try {
      const refunded = await this.deps.payments.get(payment.id, context);
      if (refunded.status === 'REFUNDED') await this.deps.outbox.record(transactionEvent(refunded, 'REFUNDED'));
      return refunded;
    } catch (error: unknown) {
      this.deps.logger.warn('could not read back a refunded payment', { paymentId: payment.id, error: describeError(error) });
      return payment;
    }
  }

  /** Money back: nothing was charged, the hold goes. Money not back: it was spent. */
  private async settleAfterRefund(grant: Grant, refund: RefundOutcome, amount: string, context: CallContext): Promise<void> {
    if (refund.status === 'REFUNDED') await this.release(grant, 'the call failed and the payment was refunded', context);
    else await this.commit(grant, amount, context);
  }

  /**
   * The provider served: the commit is stored in the durable queue and the
   * answer goes out; the queue hands it to the policy at once, batched with
   * other calls' commits. Until then the hold stays counted (as reserved),
   * so nothing can be overspent meanwhile, and a restart loses nothing.
   * Without a queue, or when it cannot store it, the commit is made here.
   */
  private async commitAfterServing(grant: Grant, amount: string, context: CallContext): Promise<void> {
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

  private async commit(grant: Grant, amount: string, context: CallContext): Promise<void> {
    try {
      await this.deps.policy.commit(grant.reservationId, amount, context);
    } catch (error: unknown) {
      await this.settleFailed({ action: 'commit', reservationId: grant.reservationId, amount }, grant, error);
    }
  }

  private async release(grant: Grant, reason: string, context: CallContext): Promise<void> {
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

  private failed(grant: Grant, error: AppError, payment: Payment | null, refund: RefundOutcome | null): PaidCallOutcome {
    const answer: InvokeAnswer = {
      decision: publicDecision(grant.decision),
      payment: payment ? publicPayment(payment) : null,
      result: null,
      error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
      refund,
    };
    return { kind: 'failed', answer, error };
  }
}

/** Does the input fit what an approval keeps? A larger one is not sent; its approval then cannot run the call. */
function fitsApproval(input: Record<string, unknown>): boolean {
  return Buffer.byteLength(JSON.stringify(input)) <= MAX_APPROVAL_INPUT_BYTES;
}

/** A call above the agent's approval threshold: held, waiting for an operator; nothing paid yet. */
function pendingApproval(decision: Decision): PaidCallOutcome {
  if (!decision.approval) throw new AppError('UPSTREAM_ERROR', `policy decided ${decision.id} PENDING_APPROVAL without an approval`);
  return {
    kind: 'pending_approval',
    answer: { decision: publicDecision(decision), payment: null, result: null, approval: decision.approval },
  };
}

/**
 * Why the payment service refused a pay request before anything was recorded
 * or sent (a bad request, a refused grant), or said the payment FAILED (a
 * chain that refused connections: nothing was sent); undefined when the money
 * may have moved (a timeout, a 5xx, unreachable after a send, PENDING).
 */
function paymentRefused(error: unknown): string | undefined {
  if (!isServiceCallError(error) || error.failure !== 'answered') return undefined;
  const status = error.upstreamStatus ?? 0;
  if (status === 400 || status === 403 || status === 422) return `the payment service refused the payment (${error.code})`;
  const details = error.upstreamBody?.error.details ?? [];
  const failed = details.some((detail) => detail.path === 'payment.status' && detail.message === 'FAILED');
  return failed ? `payment failed: ${error.upstreamBody?.error.code ?? 'unknown'}` : undefined;
}

/** A chain outage is a 503 CHAIN_UNAVAILABLE here as at the payment service, with its details (payment id and status). */
function paymentError(error: unknown): AppError {
  if (isServiceCallError(error) && error.upstreamBody?.error.code === 'CHAIN_UNAVAILABLE')
    return new AppError('CHAIN_UNAVAILABLE', `payment: ${error.upstreamBody.error.message}`, {
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  return asAppError(error, 'payment');
}

function asAppError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL_ERROR', `${what}: unexpected failure`, { cause: error });
}
