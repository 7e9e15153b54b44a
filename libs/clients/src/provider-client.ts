import { PAYMENT_ID_HEADER, PAYMENT_RECEIPT_HEADER, PAYMENT_TX_HEADER, type PaymentProof } from '@nexus/types';
import { ServiceClient, type ServiceClientOptions } from './http-client';
import type { CallContext } from './payment-client';

/** A provider's answer to `POST /invoke`: its status and raw body (an error body may carry the refund it made). */
export interface ProviderAnswer {
  status: number;
  body: unknown;
}

/** A paid provider's contract (docs/architecture.md §5): `POST /invoke` with a payment proof, the free `POST /precheck` and `GET /health`. */
export class ProviderClient {
  private readonly client: ServiceClient;

  constructor(serviceId: string, options: ServiceClientOptions) {
    this.client = new ServiceClient(serviceId, options);
  }

  /**
   * Calls the provider with the proof and hands back whatever it answered.
   * Never retried: a proof is redeemed once, so a repeat would be refused.
   * Throws a ServiceCallError only when no answer came (down, timeout).
   */
  async invoke(
    body: { variant: string; input: unknown },
    proof: PaymentProof,
    context: CallContext & { timeoutMs?: number } = {},
  ): Promise<ProviderAnswer> {
    const headers: Record<string, string> = { [PAYMENT_ID_HEADER]: proof.paymentId };
    if (proof.txHash) headers[PAYMENT_TX_HEADER] = proof.txHash;
    if (proof.receipt) headers[PAYMENT_RECEIPT_HEADER] = proof.receipt;
    const { status, data } = await this.client.send('POST', '/invoke', { body, headers, anyStatus: true, ...context });
    return { status, body: data };
  }

  /**
   * Asks the provider, for free, whether `/invoke` would take this body
   * (input and variant, size limits included). Resolves when it would; throws
   * a ServiceCallError otherwise: `failure: 'answered'` with the provider's
   * own 4xx (code, message, details) when it refuses the input, and a
   * transient failure when it could not be asked (down, timeout, 5xx).
   * Safe to repeat, so transient failures are retried.
   */
  async precheck(body: { variant: string; input: unknown }, context: CallContext & { timeoutMs?: number } = {}): Promise<void> {
    await this.client.send('POST', '/precheck', { body, retry: true, ...context });
  }

  /** Lets the calls under way finish, then closes the client's connections. */
  close(): Promise<void> {
    return this.client.close();
  }

  /** Throws a ServiceCallError unless the provider reports itself healthy. */
  async ping(timeoutMs = 2_000): Promise<void> {
    await this.client.send('GET', '/health', { timeoutMs });
  }
}
