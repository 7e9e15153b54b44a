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
import type { Decision, Payment, RefundOutcome } from '@nexus/types';
import { X402Calls } from '../x402/x402-calls';
import { PayingChainReader } from '../x402/paying-chain';
import { X402Quoter } from '../x402/x402-quoter';
import type { PaidService, ServiceDirectory } from '../services/service-directory';
import { asAppError, decideRequest, failedOutcome, paymentError, paymentRefused, pendingApproval } from './call-outcomes';
import { grantOf, Holds, type Grant } from './holds';
import { internalKey } from './internal-keys';

import type { ApprovedCall, PaidCallOutcome, PaidCallRequest, PaidCalls } from './paid-call-types';
import type { PipelineMetrics } from './pipeline-metrics';
import { precheckGrant } from './precheck-grant';
import { readProviderAnswer, type ProviderVerdict } from './provider-answer';
import { publicDecision, publicPayment } from './public-views';
import type { SettlementQueue } from './settlement-queue';

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
  /** asks an x402 service its price (docs/x402.md, "Paying x402 APIs"); one over `payments` by default */
  x402Quoter?: Pick<X402Quoter, 'quote'>;
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
  private readonly holds: Holds;
  /** calls to external x402 services take their own path (docs/x402.md, "Paying x402 APIs") */
  private readonly x402: X402Calls;

  constructor(private readonly deps: PaidCallPipelineDeps) {
    this.holds = new Holds(deps);
    this.x402 = new X402Calls({
      ...deps,
      holds: this.holds,
      quoter: deps.x402Quoter ?? new X402Quoter(new PayingChainReader(deps.payments)),
    });
  }

  async run(request: PaidCallRequest): Promise<PaidCallOutcome> {
    const service = this.deps.services.get(request.serviceId);
    const started = process.hrtime.bigint();
    const context: CallContext = request.requestId ? { requestId: request.requestId } : {};
    const outcome =
      service.kind === 'x402' ? await this.x402.run(service, request, context) : await this.runPaid(service, request, context);
    this.observe(request.serviceId, outcome, started);
    return outcome;
  }

  /** A call to one of our providers. */
  private async runPaid(service: PaidService, request: PaidCallRequest, context: CallContext): Promise<PaidCallOutcome> {
    const key = internalKey(request.agentId, request.idempotencyKey);
    const decision = await this.deps.policy.decide(decideRequest(request, key), context);
    await this.deps.outbox.record(decisionEvent(decision));
    return decision.action === 'PENDING_APPROVAL'
      ? pendingApproval(decision)
      : this.afterDecision(decision, service, request, key, context);
  }

  /**
   * The rest of a call an operator approved: precheck, pay on the grant the
   * approval signed, call the provider, commit; as for any granted call.
   */
  async resume(call: ApprovedCall): Promise<PaidCallOutcome> {
    const service = this.deps.services.get(call.request.serviceId);
    const started = process.hrtime.bigint();
    const context: CallContext = call.request.requestId ? { requestId: call.request.requestId } : {};
    const outcome =
      service.kind === 'x402'
        ? await this.x402.resume(service, call, context)
        : await this.afterDecision(call.decision, service, call.request, call.paymentKey, context);
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
    const grant = grantOf(decision);

    if (decision.replayed) {
      const stale = await this.holds.staleReplay(grant, context);
      if (stale) return failedOutcome(grant, stale, null, null);
    }

    // The provider checks the input for the granted variant for free; a refusal is answered before anything is paid.
    const refused = await precheckGrant({ service, variant: grant.variant, input: request.input, context });
    if (refused) {
      await this.holds.release(grant, `precheck: ${refused.message}`.slice(0, 500), context);
      return failedOutcome(grant, refused, null, null);
    }

    let payment: Payment;
    try {
      // The payment takes amount, service and payee from the policy's signed grant and its own config, not from us.
      payment = await this.deps.payments.pay({ grant: grant.jws, idempotencyKey: key }, context);
    } catch (error: unknown) {
      // The hold goes only when the ledger says nothing moved; anything unknown is left to the payment service.
      const refused = paymentRefused(error);
      if (refused) await this.holds.release(grant, refused, context);
      return failedOutcome(grant, paymentError(error), null, null);
    }
    const events = paymentEvents(payment);
    if (events.length > 0) await this.deps.outbox.record(events);

    switch (payment.status) {
      case 'FAILED':
        await this.holds.release(grant, `payment failed: ${payment.failure?.code ?? 'unknown'}`, context);
        return failedOutcome(
          grant,
          new AppError('PAYMENT_FAILED', `the payment failed (${payment.failure?.message ?? 'no reason given'}); nothing was charged`),
          payment,
          null,
        );
      case 'PENDING':
        // It may still land: the hold stays held (counted) until the payment service drives the payment to its end.
        return failedOutcome(
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
        await this.holds.release(grant, 'the payment of an earlier attempt was refunded', context);
        return failedOutcome(
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
        await this.holds.commitAfterServing(grant, payment.amount, context);
        return {
          kind: 'served',
          answer: { decision: publicDecision(grant.decision), payment: publicPayment(payment), result: verdict.result },
        };
      case 'refunded_by_provider': {
        // The provider's word is not the ledger's: the hold goes only if the ledger says the money came back.
        const ledger = await this.refundedPayment(payment, context);
        if (ledger.status === 'REFUNDED') await this.holds.release(grant, 'the call failed and the payment was refunded', context);
        else await this.holds.commit(grant, payment.amount, context);
        return failedOutcome(grant, verdict.error, ledger, verdict.refund);
      }
      case 'unused': {
        const { refund, refunded } = await this.refund(payment, verdict.error.message, context);
        await this.settleAfterRefund(grant, refund, payment.amount, context);
        return failedOutcome(grant, verdict.error, refunded, refund);
      }
      case 'unknown':
        await this.holds.commit(grant, payment.amount, context);
        return failedOutcome(grant, verdict.error, payment, null);
    }
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
    if (refund.status === 'REFUNDED') await this.holds.release(grant, 'the call failed and the payment was refunded', context);
    else await this.holds.commit(grant, amount, context);
  }
}
