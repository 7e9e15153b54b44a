import type { Request, RequestHandler, Response } from 'express';
import { AppError, conflict, validationError, type Logger } from '@nexus/service-kit';
import type { Redemption, RedemptionStore } from '@nexus/stores';
import {
  PAYMENT_ID_HEADER,
  PAYMENT_RECEIPT_HEADER,
  PAYMENT_TX_HEADER,
  PaymentProof,
  fromBaseUnits,
  toBaseUnits,
  type PaymentRequiredBody,
  type Quote,
  type RedeemedPayment,
  type RefundOutcome,
  type VerifyReason,
} from '@nexus/types';
import type { PaywallMetrics } from './provider-metrics';
import type { Refunder } from './refund/refunder';
import { PaymentUnverifiableError, type PaymentVerifier } from './verify/payment-verifier';
import type { X402Acceptor } from './x402/x402-acceptor';

export interface PaywallOptions {
  quote: Quote;
  verifier: PaymentVerifier;
  refunder: Refunder;
  redemptions: RedemptionStore;
  logger: Logger;
  metrics?: PaywallMetrics;
  now?: () => Date;
  /** x402 v2 payments accepted beside the native proof (chain mode); absent: the native proof only */
  x402?: X402Acceptor;
}

const PAID_CALL = 'nexusPaidCall';

/** The payment a paid route's handler is serving (set by the paywall's middleware). */
export function paidCallOf(res: Response): RedeemedPayment {
  const paid: unknown = res.locals[PAID_CALL];
  if (!paid) throw new Error('this route is not behind the paywall');
  return paid as RedeemedPayment;
}

/** Marks the payment a paid route's handler serves (the native proof's, or an x402 payment's). */
export function setPaidCall(res: Response, paid: RedeemedPayment): void {
  res.locals[PAID_CALL] = paid;
}

const requestIdOf = (res: Response) => (typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : undefined);

/**
 * Makes Express routes paid. `protect(variantOf)` is a middleware that lets a
 * request through only with a valid, unredeemed payment of at least the
 * variant's price to this provider for this service:
 * - no proof → 402 with the quote (what to pay, to whom, on which chain);
 * - a refused proof → 402 PAYMENT_INVALID with the reason;
 * - a proof already used → 409 PAYMENT_ALREADY_REDEEMED (one of two racing uses is served);
 * - the chain or ledger not answering → 503 PAYMENT_UNVERIFIABLE, nothing redeemed.
 * If the route then answers an error (its JSON body with a status ≥ 400), the
 * payment is refunded before the answer goes out, and the answer says so in
 * `refund`. Routes behind it must answer with `res.json` (errors included:
 * the service kit's error middleware does).
 */
export class Paywall {
  readonly quote: Quote;
  private readonly now: () => Date;

  constructor(private readonly options: PaywallOptions) {
    this.quote = options.quote;
    this.now = options.now ?? (() => new Date());
  }

  protect(variantOf: (req: Request, res: Response) => string): RequestHandler {
    return async (req, res, next) => {
      const variant = variantOf(req, res);
      const price = this.priceOf(variant);
      const x402 = this.options.x402;
      if (x402?.carriesPayment(req)) {
        await x402.serve(req, res, next, price, (refusal) => {
          x402.offer(req, res, price, refusal.reason);
          res
            .status(402)
            .json(this.paymentRequired(variant, price, res, 'PAYMENT_INVALID', `the x402 payment was refused: ${refusal.message}`));
        });
        return;
      }
      const proof = readProof(req);
      if (!proof) {
        this.options.metrics?.paymentRequired();
        x402?.offer(req, res, price);
        res
          .status(402)
          .json(this.paymentRequired(variant, price, res, 'PAYMENT_REQUIRED', `pay ${fromBaseUnits(price)} MNEE for ${variant}`));
        return;
      }
      const earlier = await this.options.redemptions.get(proof.paymentId);
      if (earlier) throw this.alreadyRedeemed(earlier);

      const outcome = await this.verify(proof, price);
      if (!outcome.valid) {
        this.options.metrics?.proofRefused(outcome.reason);
        x402?.offer(req, res, price);
        res
          .status(402)
          .json(
            this.paymentRequired(
              variant,
              price,
              res,
              'PAYMENT_INVALID',
              `the payment proof was refused: ${outcome.message}`,
              outcome.reason,
            ),
          );
        return;
      }
      const taken = await this.options.redemptions.redeem(
        {
          paymentId: proof.paymentId,
          serviceId: this.quote.serviceId,
          variant,
          amount: outcome.amount,
          txHash: outcome.txHash,
          paymentRef: outcome.paymentRef,
          requestId: requestIdOf(res) ?? null,
        },
        this.now(),
      );
      if (!taken.redeemed) throw this.alreadyRedeemed(taken.existing);
      const redemption = taken.redemption;
      setPaidCall(res, {
        paymentId: redemption.paymentId,
        txHash: redemption.txHash,
        amount: fromBaseUnits(redemption.amount),
        redeemedAt: redemption.redeemedAt.toISOString(),
      });
      this.refundOnFailure(res, redemption);
      next();
    };
  }

  /** Refunds a redeemed payment whose call failed, and records the outcome. */
  async refund(redemption: Redemption, reason: string): Promise<RefundOutcome> {
    const result = await this.options.refunder.refund(redemption, reason);
    const status = result.status === 'REFUNDED' ? 'REFUNDED' : 'REFUND_FAILED';
    await this.options.redemptions.markRefund(
      redemption.paymentId,
      { status, txHash: result.txHash, reason, ledgerSynced: result.ledgerSynced },
      this.now(),
    );
    this.options.metrics?.callEnded(result.status === 'REFUNDED' ? 'refunded' : 'refund_failed');
    this.options.logger[result.status === 'REFUNDED' ? 'info' : 'error']('paid call failed; payment refund', {
      paymentId: redemption.paymentId,
      refund: result.status,
      txHash: result.txHash,
      message: result.message,
    });
    return { status: result.status, paymentId: redemption.paymentId, txHash: result.txHash, message: result.message };
  }

  /** The variant's price in base units; a 400 naming the variants when it is not one of them. */
  priceOf(variant: string): bigint {
    const entry = this.quote.variants.find((candidate) => candidate.id === variant);
    if (!entry)
      throw validationError('unknown variant', [
        { path: 'body.variant', message: `must be one of ${this.quote.variants.map((v) => v.id).join(', ')}` },
      ]);
    return toBaseUnits(entry.price);
  }

  private async verify(proof: PaymentProof, price: bigint) {
    try {
      return await this.options.verifier.verify(proof, { payee: this.quote.payee, serviceId: this.quote.serviceId, minAmount: price });
    } catch (error) {
      if (!(error instanceof PaymentUnverifiableError)) throw error;
      this.options.metrics?.proofRefused('UNVERIFIABLE');
      throw new AppError('PAYMENT_UNVERIFIABLE', `${error.message}; the proof was not used, retry shortly`, { cause: error });
    }
  }

  private alreadyRedeemed(earlier: Redemption): AppError {
    this.options.metrics?.proofRefused('ALREADY_REDEEMED');
    return conflict('PAYMENT_ALREADY_REDEEMED', `payment ${earlier.paymentId} was already used for a call`, [
      { path: `headers.${PAYMENT_ID_HEADER}`, message: `redeemed at ${earlier.redeemedAt.toISOString()}, now ${earlier.status}` },
    ]);
  }

  private paymentRequired(
    variant: string,
    price: bigint,
    res: Response,
    code: 'PAYMENT_REQUIRED' | 'PAYMENT_INVALID',
    message: string,
    reason?: VerifyReason,
  ): PaymentRequiredBody {
    return {
      error: { code, message, requestId: requestIdOf(res) },
      required: { serviceId: this.quote.serviceId, variant, amount: fromBaseUnits(price) },
      ...(reason ? { reason } : {}),
      quote: this.quote,
    };
  }

  /** Holds back an error answer until the payment is refunded, and adds the refund to it; marks a success served. */
  private refundOnFailure(res: Response, redemption: Redemption): void {
    const send = res.json.bind(res);
    let answered = false;
    res.json = ((body: unknown) => {
      if (answered) return send(body);
      answered = true;
      if (res.statusCode < 400) {
        this.options.redemptions.markServed(redemption.paymentId, this.now()).then(
          () => this.options.metrics?.callEnded('served'),
          (error: unknown) =>
            this.options.logger.error('could not mark a paid call served', { paymentId: redemption.paymentId, error: String(error) }),
        );
        return send(body);
      }
      this.refund(redemption, failureReason(res.statusCode, body)).then(
        (refund) => send(isObject(body) ? { ...body, refund } : { error: body, refund }),
        (error: unknown) => {
          this.options.logger.error('refund bookkeeping failed', { paymentId: redemption.paymentId, error: String(error) });
          send(body);
        },
      );
      return res;
    }) as Response['json'];
  }
}

/** The payment proof headers; undefined when there is none, a 400 when they are malformed. */
const PROOF_HEADERS: Record<keyof PaymentProof, string> = {
  paymentId: PAYMENT_ID_HEADER,
  txHash: PAYMENT_TX_HEADER,
  receipt: PAYMENT_RECEIPT_HEADER,
};

function readProof(req: Request): PaymentProof | undefined {
  const paymentId = req.get(PAYMENT_ID_HEADER);
  const txHash = req.get(PAYMENT_TX_HEADER);
  const receipt = req.get(PAYMENT_RECEIPT_HEADER);
  if (paymentId === undefined || paymentId === '') return undefined;
  const parsed = PaymentProof.safeParse({ paymentId, ...(txHash ? { txHash } : {}), ...(receipt ? { receipt } : {}) });
  if (parsed.success) return parsed.data;
  throw validationError(
    'invalid payment proof',
    parsed.error.issues.map((issue) => ({
      path: `headers.${PROOF_HEADERS[issue.path[0] as keyof PaymentProof] ?? PAYMENT_ID_HEADER}`,
      message: issue.message,
    })),
  );
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function failureReason(status: number, body: unknown): string {
  const error = isObject(body) && isObject(body['error']) ? body['error'] : undefined;
  const code = typeof error?.['code'] === 'string' ? error['code'] : `HTTP_${status}`;
  const message = typeof error?.['message'] === 'string' ? error['message'] : 'the paid call failed';
  return `${code}: ${message}`.replaceAll('\u0000', '').slice(0, 500);
}
