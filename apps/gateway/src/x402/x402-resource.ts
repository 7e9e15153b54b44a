import type { X402ServiceConfig } from '@nexus/config';
import { AppError } from '@nexus/service-kit';
import { X402Settlement } from '@nexus/types';
import type { PaymentRequired } from '@x402/core/types';

/** The x402 library's header codecs and schemas, loaded on the first x402 call (a gateway without one never loads them). */
const x402Http = () => import('@x402/core/http');
const x402Schemas = () => import('@x402/core/schemas');

/** The most of a service's answer the gateway reads and hands back. */
export const MAX_X402_ANSWER_BYTES = 1024 * 1024;

/** What an unpaid request came to: the service's 402 payment request, or why it is not one. */
export type X402Probe = { kind: 'payment_required'; required: PaymentRequired } | { kind: 'not_payable'; why: string };

/** What the paid request came to. `settlement` is the service's PAYMENT-RESPONSE (its word, which the payment service checks). */
export interface X402Answer {
  status: number;
  body: unknown;
  settlement: X402Settlement | undefined;
}

/**
 * An external x402 service, over HTTP (docs/x402.md, "Paying x402 APIs"):
 * the unpaid request that gets its 402 answer, and the same request with
 * `PAYMENT-SIGNATURE`. The input goes as the query string of a GET or the
 * JSON body of a POST. Redirects are not followed: a payment is signed for
 * the resource that asked for it.
 */
export class X402Resource {
  constructor(
    private readonly config: Pick<X402ServiceConfig, 'id' | 'url' | 'method'>,
    private readonly timeoutMs: number,
  ) {}

  /** The unpaid request: free for the service to answer, so it may be sent again on a retry. */
  async probe(input: Record<string, unknown>): Promise<X402Probe> {
    const response = await this.send(input, {});
    if (response.status !== 402) {
      await response.body?.cancel();
      return { kind: 'not_payable', why: `it answered ${response.status} to an unpaid request, not 402` };
    }
    const header = response.headers.get('payment-required');
    await response.body?.cancel();
    if (!header) return { kind: 'not_payable', why: 'its 402 answer has no PAYMENT-REQUIRED header (x402 version 2)' };
    const [{ decodePaymentRequiredHeader }, { PaymentRequiredV2Schema }] = await Promise.all([x402Http(), x402Schemas()]);
    let decoded: unknown;
    try {
      decoded = decodePaymentRequiredHeader(header);
    } catch {
      return { kind: 'not_payable', why: 'its PAYMENT-REQUIRED header is not base64 JSON' };
    }
    const parsed = PaymentRequiredV2Schema.safeParse(decoded);
    if (!parsed.success) return { kind: 'not_payable', why: 'its PAYMENT-REQUIRED header is not an x402 version 2 payment request' };
    return { kind: 'payment_required', required: parsed.data as PaymentRequired };
  }

  /** The paid request. Never retried: the authorization is used once. Throws only when no answer came (down, timeout). */
  async call(input: Record<string, unknown>, paymentSignature: string): Promise<X402Answer> {
    const response = await this.send(input, { 'PAYMENT-SIGNATURE': paymentSignature });
    const header = response.headers.get('payment-response');
    return { status: response.status, body: await readBody(response), settlement: header ? await settlementOf(header) : undefined };
  }

  /** Throws unless the service answers at all (a 402 is an answer: it is up). */
  async ping(timeoutMs: number): Promise<void> {
    const response = await fetch(this.config.url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
  }

  private async send(input: Record<string, unknown>, headers: Record<string, string>): Promise<Response> {
    const url = new URL(this.config.url);
    const init: RequestInit = { method: this.config.method, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) };
    if (this.config.method === 'GET') {
      for (const [name, value] of Object.entries(input))
        url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
      init.headers = { Accept: 'application/json', ...headers };
    } else {
      init.headers = { Accept: 'application/json', 'Content-Type': 'application/json', ...headers };
      init.body = JSON.stringify(input);
    }
    try {
      return await fetch(url, init);
    } catch (error: unknown) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new AppError(
        timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
        timedOut ? `${this.config.id} did not answer in time` : `${this.config.id} could not be reached`,
        { cause: error },
      );
    }
  }
}

/** The service's answer: JSON when it says so, else text; at most MAX_X402_ANSWER_BYTES. */
async function readBody(response: Response): Promise<unknown> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > MAX_X402_ANSWER_BYTES) return { truncated: true, bytes: bytes.byteLength };
  const text = new TextDecoder().decode(bytes);
  if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function settlementOf(header: string): Promise<X402Settlement | undefined> {
  const { decodePaymentResponseHeader } = await x402Http();
  try {
    const parsed = X402Settlement.safeParse(decodePaymentResponseHeader(header));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
