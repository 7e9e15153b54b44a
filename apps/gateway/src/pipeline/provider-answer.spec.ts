import type { RefundOutcome } from '@nexus/types';
import { readProviderAnswer } from './provider-answer';

const PAYMENT_ID = `pay_${'a'.repeat(32)}`;
const served = {
  serviceId: 'PRICE_ORACLE',
  variant: 'query',
  payment: { paymentId: PAYMENT_ID, txHash: null, amount: '0.05', redeemedAt: '2026-01-01T00:00:00.000Z' },
  result: { base: 'ETH', price: '3150.25' },
};
const refund = (status: RefundOutcome['status']): RefundOutcome => ({ status, paymentId: PAYMENT_ID, txHash: null, message: 'refund' });
const errorBody = (code: string, message = 'no', details?: { path: string; message: string }[]) => ({
  error: { code, message, ...(details ? { details } : {}) },
});

/** What a provider's answer to a paid call means for the money (docs/architecture.md §2 step 7). */
describe('readProviderAnswer', () => {
  it('reads a 2xx in the provider contract as served, with the provider’s own result', () => {
    expect(readProviderAnswer('PRICE_ORACLE', { status: 200, body: served })).toEqual({ kind: 'served', result: served.result });
    expect(readProviderAnswer('PRICE_ORACLE', { status: 201, body: served }).kind).toBe('served');
  });

  it.each([
    ['a body that is not the contract', { result: 1 }],
    ['no body', ''],
    ['a string', 'ok'],
  ])('reads a 2xx with %s as unknown (it may have served: the payment stands), 502', (_, body) => {
    const verdict = readProviderAnswer('PRICE_ORACLE', { status: 200, body });
    expect(verdict.kind).toBe('unknown');
    if (verdict.kind !== 'unknown') return;
    expect(verdict.error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
  });

  it.each([500, 400, 422])('reads a %i failure body with a refund as refunded by the provider, 502 PROVIDER_FAILED', (status) => {
    const verdict = readProviderAnswer('LOG_ARCHIVE', {
      status,
      body: { ...errorBody('INTERNAL_ERROR', 'disk full'), refund: refund('REFUNDED') },
    });
    expect(verdict.kind).toBe('refunded_by_provider');
    if (verdict.kind !== 'refunded_by_provider') return;
    expect(verdict.refund).toEqual(refund('REFUNDED'));
    expect(verdict.error).toMatchObject({ code: 'PROVIDER_FAILED', status: 502 });
    expect(verdict.error.message).toContain('LOG_ARCHIVE');
    expect(verdict.error.message).toContain('disk full');
  });

  it('passes on a refund the provider could not make', () => {
    const verdict = readProviderAnswer('LOG_ARCHIVE', { status: 500, body: { ...errorBody('INTERNAL_ERROR'), refund: refund('FAILED') } });
    expect(verdict).toMatchObject({ kind: 'refunded_by_provider', refund: { status: 'FAILED' } });
  });

  it('reads a proof already redeemed as unknown: the payment was used, it is not refunded', () => {
    const verdict = readProviderAnswer('IMAGE_GEN', { status: 409, body: errorBody('PAYMENT_ALREADY_REDEEMED') });
    expect(verdict.kind).toBe('unknown');
    if (verdict.kind !== 'unknown') return;
    expect(verdict.error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
  });

  it.each([
    [400, 'VALIDATION_ERROR'],
    [404, 'PRICE_NOT_FOUND'],
    [409, 'IDEMPOTENCY_KEY_REUSED'],
    [422, 'VALIDATION_ERROR'],
  ])('keeps the caller’s own mistake (%i %s) as it is, to be refunded by the gateway', (status, code) => {
    const details = [{ path: 'input.base', message: 'unknown symbol' }];
    const verdict = readProviderAnswer('PRICE_ORACLE', { status, body: errorBody(code, 'bad input', details) });
    expect(verdict.kind).toBe('unused');
    if (verdict.kind !== 'unused') return;
    expect(verdict.error).toMatchObject({ code, status, details });
    expect(verdict.error.message).toBe('PRICE_ORACLE: bad input');
  });

  it.each([
    [402, 'PAYMENT_REQUIRED'],
    [402, 'PAYMENT_INVALID'],
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [500, 'INTERNAL_ERROR'],
    [502, 'UPSTREAM_ERROR'],
    [504, 'UPSTREAM_TIMEOUT'],
  ])('makes a refused proof or a provider in trouble (%i %s) a 502 of ours, to be refunded', (status, code) => {
    const verdict = readProviderAnswer('IMAGE_GEN', { status, body: errorBody(code, 'trouble') });
    expect(verdict.kind).toBe('unused');
    if (verdict.kind !== 'unused') return;
    expect(verdict.error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502, message: 'IMAGE_GEN: trouble' });
    expect(verdict.error.details).toBeUndefined();
  });

  it('makes a provider that says it is unavailable a 503, to be refunded', () => {
    const verdict = readProviderAnswer('IMAGE_GEN', { status: 503, body: errorBody('SERVICE_UNAVAILABLE', 'store down') });
    expect(verdict).toMatchObject({ kind: 'unused', error: { code: 'UPSTREAM_UNAVAILABLE', status: 503 } });
  });

  it.each([
    ['an HTML page', 502, '<html>Bad gateway</html>'],
    ['no body', 500, ''],
    ['an error code of its own', 400, errorBody('NOT_A_KNOWN_CODE')],
  ])('reads an error answer with %s as unused, 502', (_, status, body) => {
    const verdict = readProviderAnswer('BATCH_COMPUTE', { status, body });
    expect(verdict).toMatchObject({ kind: 'unused', error: { code: 'UPSTREAM_ERROR', status: 502 } });
  });
});
