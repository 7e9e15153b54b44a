import request from 'supertest';
import { buildEchoProvider } from './testing/echo-provider';
import { createProviderUnderTest, type ProviderUnderTest } from './testing/provider-under-test';
import { startTestPaymentNetwork, type TestPaymentNetwork } from './testing/test-payment-network';

describe("a provider's free precheck and its limits on unpaid work", () => {
  let network: TestPaymentNetwork;
  let provider: ProviderUnderTest;
  let limited: ProviderUnderTest;

  beforeAll(async () => {
    network = await startTestPaymentNetwork('mock');
    provider = await createProviderUnderTest(buildEchoProvider, { serviceId: 'LOG_ARCHIVE', network });
    limited = await createProviderUnderTest(buildEchoProvider, {
      serviceId: 'LOG_ARCHIVE',
      network,
      env: { PROVIDER_FREE_RATE_LIMIT_MAX: '3', PROVIDER_FREE_RATE_LIMIT_WINDOW_SECONDS: '60' },
    });
  });
  afterAll(async () => {
    await provider?.close();
    await limited?.close();
    await network?.stop();
  });

  const post = (app: ProviderUnderTest['app'], path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(app)
      .post(path)
      .set(headers)
      .send(body as object);

  it('answers {ok: true} for an input /invoke would take, and exactly the 4xx /invoke would give otherwise', async () => {
    expect((await post(provider.app, '/precheck', { variant: 'summary', input: { text: 'hi' } }).expect(200)).body).toEqual({ ok: true });
    for (const body of [
      { input: { text: '' } },
      { variant: 'deluxe', input: { text: 'x' } },
      { input: { text: 'unknown' } },
      { input: { text: 'x', extra: true } },
    ]) {
      const { headers } = await provider.pay();
      const checked = await post(provider.app, '/precheck', body);
      const invoked = await post(provider.app, '/invoke', body, headers);
      expect(checked.status).toBeGreaterThanOrEqual(400);
      expect(checked.status).toBeLessThan(500);
      expect({ status: checked.status, code: checked.body.error.code, details: checked.body.error.details }).toEqual({
        status: invoked.status,
        code: invoked.body.error.code,
        details: invoked.body.error.details,
      });
    }
  });

  it('takes no payment and redeems nothing', async () => {
    const { payment, headers } = await provider.pay();
    await post(provider.app, '/precheck', { input: { text: 'fine' } }, headers).expect(200);
    expect(await provider.redemptions.get(payment.id)).toBeUndefined();
  });

  it('answers 429 to an address over its limit of unpaid requests, and still serves a paid call', async () => {
    const statuses = [
      (await request(limited.app).get('/quote')).status,
      (await post(limited.app, '/precheck', { input: { text: 'x' } })).status,
      (await post(limited.app, '/invoke', { input: { text: 'x' } })).status,
    ];
    expect(statuses).toEqual([200, 200, 402]);
    const refused = await request(limited.app).get('/free').expect(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    await post(limited.app, '/precheck', { input: { text: 'x' } }).expect(429);

    const { headers } = await limited.pay();
    await post(limited.app, '/invoke', { input: { text: 'paid' } }, headers).expect(200);
  });

  it('reads an /invoke without a proof with the small unpaid body limit (the paid limit is larger)', async () => {
    const big = { input: { text: 'x', padding: 'p'.repeat(32 * 1024) } };
    const unpaid = await post(provider.app, '/invoke', big).expect(413);
    expect(unpaid.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // with a proof, the same body is read and refused for its content (400), for free
    const { headers } = await provider.pay();
    await post(provider.app, '/invoke', big, headers).expect(400);
    await post(provider.app, '/precheck', big).expect(400);
  });
});
