import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  type FacilitatorClient,
} from '@x402/core/http';
import { PaymentPayloadV2Schema } from '@x402/core/schemas';
import { SettleError, VerifyError, type PaymentPayload, type PaymentRequired, type SettleResponse } from '@x402/core/types';
import { AppError, type Logger } from '@nexus/service-kit';
import { fromBaseUnits } from '@nexus/types';
import { setPaidCall } from '../paywall';
import type { PaywallMetrics } from '../provider-metrics';
import { PAYMENT_REQUIRED_HEADER, PAYMENT_RESPONSE_HEADER, PAYMENT_SIGNATURE_HEADER, X402_VERSION } from './x402-headers';
import { offersFor, requirementsFor, requirementsMatching, type X402Offer } from './x402-offer';

export interface X402AcceptorOptions {
  offer: X402Offer;
  /** the payment service's facilitator (`HTTPFacilitatorClient` on `<PAYMENT_URL>/x402`) */
  facilitator: FacilitatorClient;
  logger: Logger;
  metrics?: PaywallMetrics;
  now?: () => Date;
}

/** What the paywall needs to tell the caller about the call it refuses. */
export interface X402Refusal {
  reason: string;
  message: string;
}

const requestIdOf = (res: Response) => (typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : undefined);

/**
 * Accepts x402 v2 `exact` payments beside the native proof: offers them in
 * every 402 (`PAYMENT-REQUIRED`), and serves a request carrying
 * `PAYMENT-SIGNATURE` once the facilitator verified it, then settles it when
 * the handler answered a success (`PAYMENT-RESPONSE`). A handler error settles
 * nothing: the authorization is never executed, so the payer keeps the money.
 */
export class X402Acceptor {
  private readonly now: () => Date;
  /** authorizations being served here: a replay racing its original is refused before the chain would */
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: X402AcceptorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  carriesPayment(req: Request): boolean {
    return Boolean(req.get(PAYMENT_SIGNATURE_HEADER));
  }

  /** Sets `PAYMENT-REQUIRED` on a 402 about to be sent: the price of the variant, in the token's units. */
  offer(req: Request, res: Response, price: bigint, error?: string): void {
    res.setHeader(PAYMENT_REQUIRED_HEADER, encodePaymentRequiredHeader(this.paymentRequired(req, price, error)));
  }

  paymentRequired(req: Request, price: bigint, error?: string): PaymentRequired {
    return {
      x402Version: X402_VERSION,
      ...(error ? { error } : {}),
      resource: { url: resourceUrl(req), description: `${req.method} ${req.path}`, mimeType: 'application/json' },
      accepts: offersFor(this.options.offer, price),
    };
  }

  /**
   * Serves a request paid with x402: verify, then the handler (`next`), then
   * settle on success. Refusals answer 402 with `PAYMENT-REQUIRED` (its
   * `error` the reason) through `refuse`, which the paywall gives its body.
   */
  async serve(req: Request, res: Response, next: NextFunction, price: bigint, refuse: (refusal: X402Refusal) => void): Promise<void> {
    const payload = readPayload(req.get(PAYMENT_SIGNATURE_HEADER) ?? '');
    if (!payload)
      return this.refused(refuse, { reason: 'invalid_payload', message: 'PAYMENT-SIGNATURE is not an x402 v2 payment payload' });
    if (!('payload' in payload))
      return this.refused(refuse, {
        reason: 'invalid_x402_version',
        message: `x402 version ${payload.x402Version} is not accepted; use 2`,
      });
    // our own requirement for the path the payer took (ERC-3009 or Permit2), never the one it sent
    const requirements = requirementsMatching(this.options.offer, price, payload.accepted);

    const key = authorizationKey(payload);
    if (this.inFlight.has(key))
      return this.refused(refuse, { reason: 'authorization_in_use', message: 'this authorization is already being served' });
    this.inFlight.add(key);
    let released = false;
    const release = () => {
      if (!released) this.inFlight.delete(key);
      released = true;
    };
    try {
      const verdict = await this.verify(payload, requirements);
      if (!verdict.isValid) {
        release();
        return this.refused(refuse, {
          reason: verdict.invalidReason ?? 'invalid_payment',
          message: verdict.invalidMessage ?? verdict.invalidReason ?? 'the facilitator refused the payment',
        });
      }
      setPaidCall(res, {
        paymentId: paymentIdOf(requirements, key),
        txHash: null,
        amount: fromBaseUnits(price),
        redeemedAt: this.now().toISOString(),
      });
      this.settleOnSuccess(res, payload, requirements, release);
      next();
    } catch (error) {
      release();
      throw error;
    }
  }

  private refused(refuse: (refusal: X402Refusal) => void, refusal: X402Refusal): void {
    this.options.metrics?.proofRefused(`x402_${refusal.reason}`.slice(0, 64));
    refuse(refusal);
  }

  private async verify(payload: PaymentPayload, requirements: ReturnType<typeof requirementsFor>) {
    try {
      return await this.options.facilitator.verify(payload, requirements);
    } catch (error) {
      if (isFacilitatorError(error, VerifyError))
        return { isValid: false, invalidReason: error.invalidReason, invalidMessage: error.invalidMessage ?? error.message };
      this.options.metrics?.proofRefused('UNVERIFIABLE');
      throw new AppError(
        'PAYMENT_UNVERIFIABLE',
        `the x402 facilitator did not answer (${String(error)}); nothing was paid, retry shortly`,
        {
          cause: error,
        },
      );
    }
  }

  /** Holds back the handler's answer: a success is settled first and carries PAYMENT-RESPONSE; an error settles nothing. */
  private settleOnSuccess(res: Response, payload: PaymentPayload, requirements: ReturnType<typeof requirementsFor>, release: () => void) {
    const send = res.json.bind(res);
    let answered = false;
    res.json = ((body: unknown) => {
      if (answered) return send(body);
      answered = true;
      if (res.statusCode >= 400) {
        release();
        this.options.logger.info('x402 call failed; its payment is not settled', { status: res.statusCode });
        return send(body);
      }
      this.settle(payload, requirements).then(
        (settlement) => {
          release();
          res.setHeader(PAYMENT_RESPONSE_HEADER, encodePaymentResponseHeader(settlement));
          if (settlement.success) {
            this.options.metrics?.callEnded('served');
            send(withSettlement(body, settlement));
            return;
          }
          this.options.metrics?.proofRefused(`x402_settle_${settlement.errorReason ?? 'failed'}`.slice(0, 64));
          this.options.logger.warn('x402 settlement failed; the answer is withheld', { reason: settlement.errorReason });
          res.status(402);
          send({
            error: {
              code: 'PAYMENT_INVALID',
              message: `the x402 payment could not be settled: ${settlement.errorMessage ?? settlement.errorReason ?? 'unknown'}`,
              requestId: requestIdOf(res),
            },
            reason: settlement.errorReason ?? 'settle_failed',
          });
        },
        (error: unknown) => {
          release();
          this.options.logger.error('x402 settlement did not answer; the answer is withheld', { error: String(error) });
          res.status(503);
          send({
            error: {
              code: 'PAYMENT_UNVERIFIABLE',
              message: 'the x402 facilitator did not answer the settlement; it may or may not have happened',
              requestId: requestIdOf(res),
            },
          });
        },
      );
      return res;
    }) as Response['json'];
  }

  private async settle(payload: PaymentPayload, requirements: ReturnType<typeof requirementsFor>): Promise<SettleResponse> {
    try {
      return await this.options.facilitator.settle(payload, requirements);
    } catch (error) {
      if (isFacilitatorError(error, SettleError))
        return {
          success: false,
          errorReason: error.errorReason ?? 'settle_failed',
          ...(error.errorMessage ? { errorMessage: error.errorMessage } : {}),
          ...(error.payer ? { payer: error.payer } : {}),
          transaction: error.transaction ?? '',
          network: error.network ?? requirements.network,
        };
      throw error;
    }
  }
}

/** The v2 payload; only its version when it is another version; undefined when it is not a payload at all. */
/**
 * The facilitator client's refusal errors: `@x402/core` bundles each entry point with its own copy
 * of the class (`@x402/core/http` throws its own), so the name decides, not the prototype.
 */
function isFacilitatorError<T extends Error>(error: unknown, kind: abstract new (...args: never[]) => T): error is T {
  return error instanceof kind || (error instanceof Error && error.name === kind.name);
}

function readPayload(header: string): PaymentPayload | { x402Version: number } | undefined {
  try {
    const decoded: unknown = decodePaymentSignatureHeader(header);
    if (isObject(decoded) && decoded['x402Version'] !== X402_VERSION) return { x402Version: Number(decoded['x402Version']) };
    const parsed = PaymentPayloadV2Schema.safeParse(decoded);
    return parsed.success ? (parsed.data as PaymentPayload) : undefined;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The authorization's identity: an EIP-3009 authorization is its payer and
 * nonce, a Permit2 permit its owner and Permit2 nonce; any other payload, its
 * signed content.
 */
function authorizationKey(payload: PaymentPayload): string {
  const authorization = payload.payload['authorization'];
  if (isObject(authorization) && typeof authorization['from'] === 'string' && typeof authorization['nonce'] === 'string')
    return `${authorization['from'].toLowerCase()}:${authorization['nonce'].toLowerCase()}`;
  const permit = payload.payload['permit2Authorization'];
  if (isObject(permit) && typeof permit['from'] === 'string' && typeof permit['nonce'] === 'string')
    return `${permit['from'].toLowerCase()}:permit2:${permit['nonce']}`;
  return createHash('sha256').update(JSON.stringify(payload.payload)).digest('hex');
}

/** The call's payment id (`pay_` + 32 hex digits), derived from the authorization: one authorization, one id. */
function paymentIdOf(requirements: { network: string; asset: string }, key: string): string {
  const digest = createHash('sha256').update(`x402:${requirements.network}:${requirements.asset.toLowerCase()}:${key}`).digest('hex');
  return `pay_${digest.slice(0, 32)}`;
}

/** The served answer's `payment` gains the settlement transaction (the provider's InvokeResponse shape). */
function withSettlement(body: unknown, settlement: SettleResponse): unknown {
  if (!isObject(body) || !isObject(body['payment']) || !/^0x[0-9a-fA-F]{64}$/.test(settlement.transaction)) return body;
  return { ...body, payment: { ...body['payment'], txHash: settlement.transaction.toLowerCase() } };
}

function resourceUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`;
}
