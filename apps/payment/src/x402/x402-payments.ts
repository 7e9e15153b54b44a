import { toTokenUnits, x402PayerSigner } from '@nexus/chain';
import { AppError, conflict, describeError, newId, notFound, type Logger } from '@nexus/service-kit';
import type { PaymentRecord, PaymentStore } from '@nexus/stores';
import type { Payment, X402OutcomeRequest, X402PayAnswer, X402PayRequest, X402PaymentPayload } from '@nexus/types';
import { encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { getAddress } from 'ethers';
import type { ChainAccess } from '../chain/chain-settler';
import { grantInvalid, type GrantReader, type PaymentOrder } from '../grants/grant-reader';
import { assertSameRequest } from '../payment-service';
import type { OutcomeReports } from '../pending/outcome-reports';
import type { ResolveResult } from '../settler';
import { paymentView } from '../views';
import { X402AuthorizationChain } from './x402-authorization-chain';
import { checkOffer, offerRefused } from './x402-offer-checks';
import { authorizationIn, signedAuthorizationOf } from './x402-out-payload';
import { X402_AUTHORIZATION_CANCELED, verdictOf } from './x402-out-resolver';

/** The authorization expires this long before the grant's hold does, so it can never land on a hold already let go. */
export const AUTHORIZATION_HOLD_MARGIN_SECONDS = 15;
/** Less time than this left to settle it: not worth signing (the call and the settlement would not fit). */
export const MIN_AUTHORIZATION_SECONDS = 10;

export interface X402PaymentsDeps {
  chain: ChainAccess;
  store: Pick<
    PaymentStore,
    'openX402Out' | 'findByIdempotencyKey' | 'get' | 'recordServed' | 'lease' | 'releaseLease' | 'markSettled' | 'markFailed'
  >;
  /** verifies the policy's grants; an x402 service's payee is its `payTo` in our services.yaml */
  grants: GrantReader;
  /** the hold of a signed authorization is pinned before it is handed out; the end of the payment commits or releases it */
  reports: Pick<OutcomeReports, 'pinned' | 'committed' | 'released'> | undefined;
  logger: Logger;
  /** the lease taken on a payment while its outcome is settled (the one the pending driver takes) */
  leaseMs: number;
  instanceId?: string;
  clock?: () => Date;
}

/**
 * Our agents paying external x402 services (docs/x402.md, "Paying x402
 * APIs"): on a live policy grant, the treasury signs an ERC-3009
 * authorization of exactly the grant's amount to the service's configured
 * payee, with the official exact-scheme client; the service settles it. The
 * ledger keeps the signed payload before anyone sees it, and the hold is
 * pinned (it stays counted past its expiry) before it is handed out: the
 * authorization may land until its validBefore. How it ended is the chain's
 * word: used → SUCCESS; unused and not served → canceled by the treasury,
 * FAILED.
 */
export class X402Payments {
  private readonly chain: X402AuthorizationChain;
  private readonly scheme: ExactEvmScheme;
  private readonly network: string;
  private readonly owner: string;
  private readonly now: () => Date;

  constructor(private readonly deps: X402PaymentsDeps) {
    this.chain = new X402AuthorizationChain(deps.chain);
    const { sender } = deps.chain;
    this.scheme = new ExactEvmScheme(
      x402PayerSigner({ address: getAddress(sender.address), signTypedData: sender.signTypedData.bind(sender) }),
    );
    this.network = `eip155:${deps.chain.chainId}`;
    this.owner = deps.instanceId ?? newId('x402');
    this.now = deps.clock ?? (() => new Date());
  }

  /** The chain as this service reads the x402-out authorizations (the pending driver resolves by it). */
  get authorizations(): X402AuthorizationChain {
    return this.chain;
  }

  async pay(request: X402PayRequest): Promise<X402PayAnswer & { created: boolean }> {
    const { order, expired } = await this.deps.grants.read(request.grant, this.now(), 'x402');
    const { token } = this.deps.chain;
    checkOffer(request.accepted, {
      network: this.network,
      token: token.address,
      payTo: order.payee,
      amount: toTokenUnits(order.amount, token.decimals),
    });
    const known = await this.deps.store.findByIdempotencyKey(request.idempotencyKey);
    if (known) return this.replay(known, order, request.idempotencyKey);
    // An expired grant opens nothing; it only gets back the payment made under it in time, by the same key.
    if (expired) throw grantInvalid(`the grant's hold expired at ${order.expiresAt.toISOString()}`);

    const payload = await this.sign(request, order);
    const { authorization } = authorizationIn(payload);
    const id = newId('pay');
    const { payment, created } = await this.deps.store.openX402Out(
      {
        id,
        idempotencyKey: request.idempotencyKey,
        agentId: order.agentId,
        serviceId: order.serviceId,
        payee: order.payee,
        amount: order.amount,
        decisionId: order.decisionId,
        reservationId: order.reservationId,
        mode: 'chain',
        paymentRef: null,
        payer: getAddress(this.deps.chain.sender.address),
        authorizationNonce: authorization.nonce.toLowerCase(),
        x402Payload: JSON.stringify(payload),
      },
      this.now(),
    );
    // Lost a race: the payment already recorded answers, and the authorization just signed is never handed out.
    if (!created) return this.replay(payment, order, request.idempotencyKey);
    await this.pin(payment);
    this.deps.logger.info('x402 payment signed', {
      paymentId: payment.id,
      serviceId: payment.serviceId,
      validBefore: authorization.validBefore,
    });
    return {
      payment: paymentView(payment, { replayed: false }),
      paymentSignature: encodePaymentSignatureHeader(payload as PaymentPayload),
      created,
    };
  }

  /**
   * How the paid call went, settled by the chain's word: a settlement the
   * service reports counts only when its receipt shows this authorization
   * paying the payee; otherwise the token is asked. Unused and not served →
   * canceled (FAILED); unused but served → PENDING (the pending driver ends
   * it). An ended payment answers as it is.
   */
  async outcome(id: string, outcome: X402OutcomeRequest): Promise<Payment> {
    const found = await this.deps.store.get(id);
    if (!found || found.method !== 'x402-out') throw notFound('PAYMENT_NOT_FOUND', `no x402 payment ${id}`);
    const payment = (await this.deps.store.recordServed(id, outcome.served, this.now())) ?? found;
    if (payment.status !== 'PENDING') return paymentView(payment);
    const leased = await this.deps.store.lease(id, this.owner, this.now(), new Date(this.now().getTime() + this.deps.leaseMs));
    // the pending driver is looking at it: its word will be the payment's
    if (!leased) return paymentView(payment);
    let verdict: ResolveResult;
    try {
      verdict = await this.judge(leased, outcome);
    } catch (error) {
      await this.deps.store.releaseLease(id, this.owner, this.now());
      this.deps.logger.warn('x402 payment outcome: the chain did not answer', { paymentId: id, error: describeError(error) });
      throw new AppError('CHAIN_UNAVAILABLE', `the chain did not answer; payment ${id} stays PENDING, report again shortly`, {
        cause: error,
      });
    }
    return paymentView(await this.end(leased, verdict));
  }

  /** A known idempotency key: the same grant gets the same payment and the very same signed authorization. */
  private async replay(payment: PaymentRecord, order: PaymentOrder, idempotencyKey: string): Promise<X402PayAnswer & { created: boolean }> {
    if (payment.idempotencyKey !== idempotencyKey)
      throw conflict(
        'RESERVATION_ALREADY_PAID',
        `reservation ${order.reservationId} was already paid (payment ${payment.id}) under another idempotency key; nothing more was signed`,
      );
    assertSameRequest(payment, order, idempotencyKey);
    if (payment.method !== 'x402-out' || !payment.x402Payload)
      throw conflict('IDEMPOTENCY_KEY_REUSED', `idempotency key ${idempotencyKey} already paid a payment that is not an x402 one`);
    // a crash between the ledger and the pin: pinned now (a pin is idempotent)
    if (payment.status === 'PENDING') await this.pin(payment);
    const { payload } = signedAuthorizationOf(payment);
    return {
      payment: paymentView(payment, { replayed: true }),
      paymentSignature: encodePaymentSignatureHeader(payload as PaymentPayload),
      created: false,
    };
  }

  private async pin(payment: PaymentRecord): Promise<void> {
    if (!this.deps.reports)
      throw new AppError('INTERNAL_ERROR', 'this payment service has no outcome reports to keep the hold of a signed authorization');
    await this.deps.reports.pinned(payment);
  }

  /**
   * The exact-scheme client signs (through the treasury's sender) an
   * authorization valid until min(now + maxTimeoutSeconds, the hold's expiry −
   * 15 s); the payload carries the offer and resource as the service gave them.
   */
  private async sign(request: X402PayRequest, order: PaymentOrder): Promise<X402PaymentPayload> {
    const latest = Math.floor(order.expiresAt.getTime() / 1000) - AUTHORIZATION_HOLD_MARGIN_SECONDS;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // the library reads the clock itself: a second that ticks in between is taken off, and signed again
      const seconds = Math.min(request.accepted.maxTimeoutSeconds, latest - Math.floor(Date.now() / 1000) - attempt);
      if (seconds < MIN_AUTHORIZATION_SECONDS)
        throw offerRefused(
          'maxTimeoutSeconds',
          `the authorization would be valid ${Math.max(seconds, 0)} s, less than ${MIN_AUTHORIZATION_SECONDS} s (the grant's hold expires at ${order.expiresAt.toISOString()})`,
        );
      const capped = { ...request.accepted, maxTimeoutSeconds: seconds } as PaymentRequirements;
      const signed = await this.scheme.createPaymentPayload(2, capped);
      const payload: X402PaymentPayload = {
        x402Version: 2,
        resource: request.resource,
        accepted: request.accepted,
        payload: signed.payload,
      };
      if (Number(authorizationIn(payload).authorization.validBefore) <= latest) return payload;
    }
    throw new AppError('INTERNAL_ERROR', 'the signed authorization outlived the grant twice; nothing was handed out');
  }

  private async judge(payment: PaymentRecord, outcome: X402OutcomeRequest): Promise<ResolveResult> {
    const { authorization, domain } = signedAuthorizationOf(payment);
    const terms = { nonce: authorization.nonce, to: authorization.to, value: BigInt(authorization.value) };
    const { settlement } = outcome;
    if (settlement?.success && settlement.transaction) {
      const used = await this.chain.settlementIn(settlement.transaction, terms);
      if (used) return verdictOf(used);
      this.deps.logger.warn('x402 settlement not found on chain as reported', {
        paymentId: payment.id,
        transaction: settlement.transaction,
      });
    }
    const use = await this.chain.lookUp(authorization.nonce);
    if (use.kind !== 'unused') return verdictOf(use);
    if (payment.served !== false)
      return { kind: 'pending', message: 'the service says it served the call; the chain shows no payment yet' };
    const canceled = await this.chain.cancel(authorization.nonce, domain);
    if (canceled.kind === 'canceled')
      return {
        kind: 'failed',
        code: X402_AUTHORIZATION_CANCELED,
        message: 'the service did not serve the call; its authorization was canceled, nothing moved',
      };
    return verdictOf(canceled);
  }

  /** Commit before SUCCESS (a crash in between loses neither); FAILED before release; PENDING keeps its pin. */
  private async end(payment: PaymentRecord, verdict: ResolveResult): Promise<PaymentRecord> {
    switch (verdict.kind) {
      case 'settled': {
        await this.deps.reports?.committed(payment);
        const { txHash, blockNumber, gasUsed } = verdict;
        const settled = await this.deps.store.markSettled(payment.id, { status: 'SUCCESS', txHash, blockNumber, gasUsed }, this.now());
        const level = settled.served === false ? 'warn' : 'info';
        this.deps.logger[level](settled.served === false ? 'x402 payment settled without service' : 'x402 payment settled', {
          paymentId: payment.id,
          txHash,
        });
        return settled;
      }
      case 'failed': {
        const failed = await this.deps.store.markFailed(payment.id, { code: verdict.code, message: verdict.message }, this.now());
        if (failed.status === 'FAILED') await this.deps.reports?.released(failed);
        this.deps.logger.info('x402 payment failed', { paymentId: payment.id, code: verdict.code });
        return failed;
      }
      case 'pending': {
        await this.deps.store.releaseLease(payment.id, this.owner, this.now());
        this.deps.logger.info('x402 payment still pending', { paymentId: payment.id, reason: verdict.message });
        return (await this.deps.store.get(payment.id)) ?? payment;
      }
    }
  }
}
