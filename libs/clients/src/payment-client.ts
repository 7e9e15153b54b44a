import {
  Payment,
  PaymentList,
  TreasuryView,
  VerifyResult,
  X402PayAnswer,
  type X402OutcomeRequest,
  type X402PayRequest,
  type PayRequest,
  type PaymentListQuery,
  type RefundRequest,
  type VerifyRequest,
} from '@nexus/types';
import { ServiceClient, type ServiceClientOptions } from './http-client';

/** Forwarded with a call: the caller's request id, so one id follows a call through every service. */
export interface CallContext {
  requestId?: string;
}

/** The payment service's API (apps/payment, port 8006), typed. */
export class PaymentClient {
  private readonly client: ServiceClient;
  private readonly payTimeoutMs: number | undefined;

  /** `payTimeoutMs`: per attempt of `pay`, which answers once the payment is confirmed (the client's timeout by default) */
  constructor(options: ServiceClientOptions & { payTimeoutMs?: number }) {
    this.client = new ServiceClient('payment', options);
    this.payTimeoutMs = options.payTimeoutMs;
  }

  /** Idempotent by `idempotencyKey`, so it is retried on transient failures. */
  pay(request: PayRequest, context?: CallContext): Promise<Payment> {
    const timeout = this.payTimeoutMs === undefined ? {} : { timeoutMs: this.payTimeoutMs };
    return this.client.call('POST', '/payments', Payment, { body: request, retry: true, ...timeout, ...context });
  }

  get(id: string, context?: CallContext): Promise<Payment> {
    return this.client.call('GET', `/payments/${encodeURIComponent(id)}`, Payment, { retry: true, ...context });
  }

  list(query: Partial<PaymentListQuery> = {}, context?: CallContext): Promise<PaymentList> {
    return this.client.call('GET', '/payments', PaymentList, { query, retry: true, ...context });
  }

  /** A question, not a change: safe to retry. */
  verify(request: VerifyRequest, context?: CallContext): Promise<VerifyResult> {
    return this.client.call('POST', '/payments/verify', VerifyResult, { body: request, retry: true, ...context });
  }

  /** Refunds happen once: a second call answers the REFUNDED payment (`replayed`), so a retry after a lost answer is safe. */
  refund(id: string, request: RefundRequest, context?: CallContext): Promise<Payment> {
    return this.client.call('POST', `/payments/${encodeURIComponent(id)}/refund`, Payment, { body: request, retry: true, ...context });
  }

  /**
   * Signs the x402 payment of a granted call to an external x402 service
   * (docs/x402.md, "Paying x402 APIs"). Idempotent by `idempotencyKey`: a
   * retry gets the same payment and the same signed authorization.
   */
  payX402(request: X402PayRequest, context?: CallContext): Promise<X402PayAnswer> {
    return this.client.call('POST', '/x402/payments', X402PayAnswer, { body: request, retry: true, ...context });
  }

  /** How the paid x402 call went; the payment service settles the payment by the chain's word. Idempotent. */
  reportX402(id: string, outcome: X402OutcomeRequest, context?: CallContext): Promise<Payment> {
    return this.client.call('POST', `/x402/payments/${encodeURIComponent(id)}/outcome`, Payment, {
      body: outcome,
      retry: true,
      ...context,
    });
  }

  /** Lets the calls under way finish, then closes the client's connections. */
  close(): Promise<void> {
    return this.client.close();
  }

  /** Throws a ServiceCallError unless the service reports itself healthy (store, and chain in chain mode). */
  async ping(): Promise<void> {
    await this.client.send('GET', '/health', { timeoutMs: 2_000 });
  }

  treasury(context?: CallContext): Promise<TreasuryView> {
    return this.client.call('GET', '/treasury', TreasuryView, { retry: true, ...context });
  }
}
