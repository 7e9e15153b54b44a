import { decisionEvent, paymentEvents, type CallContext, type LogOutbox, type PaymentClient, type PolicyClient } from '@nexus/clients';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import type { Decision, Payment, X402PayAnswer } from '@nexus/types';
import type { X402PaidService } from '../services/service-directory';
import { asAppError, decideRequest, failedOutcome, paymentError, paymentRefused, pendingApproval } from '../pipeline/call-outcomes';
import { grantOf, type Grant, type Holds } from '../pipeline/holds';
import { internalKey } from '../pipeline/internal-keys';
import type { ApprovedCall, PaidCallOutcome, PaidCallRequest } from '../pipeline/paid-call-types';
import { publicDecision, publicPayment } from '../pipeline/public-views';
import type { X402Quote, X402Quoter } from './x402-quoter';
import type { X402Answer } from './x402-resource';

export interface X402CallsDeps {
  policy: Pick<PolicyClient, 'decide'>;
  payments: Pick<PaymentClient, 'payX402' | 'reportX402'>;
  outbox: Pick<LogOutbox, 'record'>;
  logger: Logger;
  holds: Pick<Holds, 'release' | 'staleReplay' | 'commitAfterServing'>;
  quoter: Pick<X402Quoter, 'quote'>;
}

/**
 * A paid call to an external x402 service (docs/x402.md, "Paying x402
 * APIs"): ask it unpaid for its 402 → the policy decides and holds at that
 * price (capped by maxPrice) → the payment service signs the authorization
 * → the call with PAYMENT-SIGNATURE → the payment service settles the
 * payment by the chain's word (paid, or canceled when not served). From the
 * signature on, the hold ends only by the ledger's word: the payment service
 * pinned it, and commits or releases it when the payment ends, and so does
 * the gateway when the payment has ended by the time the call does. Before
 * the signature, the gateway releases a hold the payment service refused.
 */
export class X402Calls {
  constructor(private readonly deps: X402CallsDeps) {}

  async run(service: X402PaidService, request: PaidCallRequest, context: CallContext): Promise<PaidCallOutcome> {
    // Before anything is held: a service that cannot be paid, or a price it cannot ask, costs nothing.
    const quote = await this.deps.quoter.quote(service, request.input);
    const key = internalKey(request.agentId, request.idempotencyKey);
    const decision = await this.deps.policy.decide(decideRequest(request, key, quote.price), context);
    await this.deps.outbox.record(decisionEvent(decision));
    if (decision.action === 'PENDING_APPROVAL') return pendingApproval(decision);
    return this.afterDecision(decision, service, request, key, quote, context);
  }

  /** An approved call: its service is asked again, and paid only at the price the approval held. */
  async resume(service: X402PaidService, call: ApprovedCall, context: CallContext): Promise<PaidCallOutcome> {
    const grant = grantOf(call.decision);
    let quote: X402Quote;
    try {
      quote = await this.deps.quoter.quote(service, call.request.input);
    } catch (error: unknown) {
      const failure = asAppError(error, service.config.id);
      await this.deps.holds.release(grant, `the x402 service could not be asked its price: ${failure.code}`, context);
      return failedOutcome(grant, failure, null, null);
    }
    return this.afterDecision(call.decision, service, call.request, call.paymentKey, quote, context);
  }

  private async afterDecision(
    decision: Decision,
    service: X402PaidService,
    request: Omit<PaidCallRequest, 'idempotencyKey'>,
    key: string,
    quote: X402Quote,
    context: CallContext,
  ): Promise<PaidCallOutcome> {
    if (decision.action === 'REJECTED')
      return { kind: 'rejected', answer: { decision: publicDecision(decision), payment: null, result: null } };
    const grant = grantOf(decision);
    if (decision.replayed) {
      const stale = await this.deps.holds.staleReplay(grant, context);
      if (stale) return failedOutcome(grant, stale, null, null);
    }

    let paid: X402PayAnswer;
    try {
      paid = await this.deps.payments.payX402(
        { grant: grant.jws, idempotencyKey: key, resource: quote.resource, accepted: quote.accepted },
        context,
      );
    } catch (error: unknown) {
      // Released only when the payment service refused before signing; anything else may have signed, and it owns that hold.
      const refused = paymentRefused(error);
      if (refused) await this.deps.holds.release(grant, refused, context);
      return failedOutcome(grant, paymentError(error), null, null);
    }
    if (paid.payment.status !== 'PENDING') return this.endedBefore(grant, paid.payment);

    let answer: X402Answer | undefined;
    let unreached: AppError | undefined;
    try {
      answer = await service.resource.call(request.input, paid.paymentSignature);
    } catch (error: unknown) {
      unreached = asAppError(error, service.config.id);
    }
    const served = answer !== undefined && answer.status >= 200 && answer.status < 300;
    const payment = await this.settle(paid.payment, served, answer, context);
    await this.deps.outbox.record(paymentEvents(payment));
    // The ledger's word, now final: the hold ends with it (the payment service tells the policy too; the same end twice is one).
    if (payment.status === 'SUCCESS') await this.deps.holds.commitAfterServing(grant, payment.amount, context);
    if (payment.status === 'FAILED') await this.deps.holds.release(grant, `x402 payment ${payment.id} failed: nothing moved`, context);
    return this.outcome(grant, service, payment, served ? answer : undefined, unreached ?? notServed(service.config.id, answer));
  }

  /** Tells the payment service how the call went; it answers the payment as the chain has it. Unreachable: still PENDING. */
  private async settle(payment: Payment, served: boolean, answer: X402Answer | undefined, context: CallContext): Promise<Payment> {
    try {
      return await this.deps.payments.reportX402(
        payment.id,
        { served, ...(answer?.settlement ? { settlement: answer.settlement } : {}) },
        context,
      );
    } catch (error: unknown) {
      // The payment service pinned the hold when it signed; its pending driver ends the payment by the chain.
      this.deps.logger.warn('could not report an x402 call to the payment service; the payment stays PENDING', {
        paymentId: payment.id,
        error: describeError(error),
      });
      return payment;
    }
  }

  private outcome(
    grant: Grant,
    service: X402PaidService,
    payment: Payment,
    answer: X402Answer | undefined,
    notServedError: AppError,
  ): PaidCallOutcome {
    const id = service.config.id;
    const servedAnswer = () =>
      ({
        kind: 'served',
        answer: { decision: publicDecision(grant.decision), payment: publicPayment(payment), result: answer?.body ?? null },
      }) as const;
    switch (payment.status) {
      case 'SUCCESS':
        if (answer) return servedAnswer();
        return failedOutcome(
          grant,
          new AppError(
            'PROVIDER_FAILED',
            `${id} took the payment but did not serve the call (${notServedError.message}); x402 has no refund, so payment ${payment.id} is flagged for reconcile`,
          ),
          payment,
          null,
        );
      case 'FAILED':
        return failedOutcome(
          grant,
          new AppError(notServedError.code, `${notServedError.message}; its authorization was canceled: nothing was paid`, {
            status: notServedError.status,
          }),
          payment,
          null,
        );
      case 'PENDING':
        // Served, and the chain does not show the payment yet: the result is the agent's; the payment service ends the payment.
        if (answer) return servedAnswer();
        return failedOutcome(
          grant,
          new AppError(
            'PAYMENT_PENDING',
            `${notServedError.message}; payment ${payment.id} is not settled yet (the payment service cancels its authorization, or records it paid if it landed), and its hold stays counted until then`,
            { status: 504 },
          ),
          payment,
          null,
        );
      default:
        return failedOutcome(grant, new AppError('UPSTREAM_ERROR', `x402 payment ${payment.id} is ${payment.status}`), payment, null);
    }
  }

  /** A replay found the payment already ended (a crash after the call): its answer is not kept here. */
  private endedBefore(grant: Grant, payment: Payment): PaidCallOutcome {
    return failedOutcome(
      grant,
      new AppError(
        'UPSTREAM_ERROR',
        `an earlier attempt of this call already ended (payment ${payment.id} is ${payment.status}); use a new key to call again`,
      ),
      payment,
      null,
    );
  }
}

/** Why the paid call was not served. The service's own words are not echoed (they may carry a URL or a key): only its status. */
function notServed(serviceId: string, answer: X402Answer | undefined): AppError {
  if (!answer) return new AppError('UPSTREAM_UNAVAILABLE', `${serviceId} could not be reached`);
  const refusedPayment = answer.status === 402;
  return new AppError(
    'UPSTREAM_ERROR',
    refusedPayment ? `${serviceId} refused the payment (402)` : `${serviceId} answered ${answer.status} to the paid call`,
    { details: [{ path: 'upstream.status', message: String(answer.status) }] },
  );
}
