import { randomBytes } from 'node:crypto';
import type { BenchStack } from './bench-stack';
import type { LoadSpec } from './load';

/** The paid call every gateway run makes: one PRICE_ORACLE quote for the user-agent, a fresh Idempotency-Key each. */
export function paidCallSpec(stack: BenchStack): Omit<LoadSpec, 'connections' | 'seconds'> {
  const run = randomBytes(4).toString('hex');
  return {
    url: stack.gatewayUrl,
    method: 'POST',
    path: '/tools/PRICE_ORACLE/invoke',
    headers: stack.agentHeaders,
    body: () => JSON.stringify({ input: { base: 'ETH', quote: 'USD' } }),
    headersOf: (n) => ({ 'idempotency-key': `bench-${run}-${n}` }),
    expectStatus: 200,
  };
}

/**
 * The provider called directly without payment: the same POST /invoke with
 * the same body, no proof. It goes through the provider's whole HTTP stack,
 * body parsing, input validation and the precheck (the price route is
 * resolved), and answers 402 with the quote: everything but the payment.
 */
export function unpaidProviderSpec(stack: BenchStack): Omit<LoadSpec, 'connections' | 'seconds'> {
  return {
    url: stack.url('price-oracle'),
    method: 'POST',
    path: '/invoke',
    headers: { 'content-type': 'application/json' },
    body: () => JSON.stringify({ variant: 'query', input: { base: 'ETH', quote: 'USD' } }),
    expectStatus: 402,
  };
}
