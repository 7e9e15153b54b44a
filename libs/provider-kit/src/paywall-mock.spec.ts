import request from 'supertest';
import { PAYMENT_ID_HEADER, PAYMENT_RECEIPT_HEADER, PaymentRequiredBody, ProviderFailureBody, InvokeResponse, Quote } from '@nexus/types';
import { buildEchoProvider } from './testing/echo-provider';
import { createProviderUnderTest } from './testing/provider-under-test';
import { useProviderUnderTest } from './testing/provider-suite';

const LOG_ARCHIVE_PAYEE = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65';

describe('a paid route in mock mode (the payments ledger verifies)', () => {
  // The payment service pays the payee its own services.yaml names: here IMAGE_GEN's is LOG_ARCHIVE's, so a
  // payment for IMAGE_GEN reaches this provider's payee (for the wrong service).
  const provider = useProviderUnderTest(buildEchoProvider, {
    serviceId: 'LOG_ARCHIVE',
    networkOptions: { paymentEnv: { NEXUS_SERVICE_IMAGE_GEN_PAYEE: LOG_ARCHIVE_PAYEE } },
  });

  it('quotes its variants, prices and payee for free', async () => {
    const response = await request(provider.app).get('/quote').expect(200);
    const quote = Quote.parse(response.body);
    expect(quote).toMatchObject({
      serviceId: 'LOG_ARCHIVE',
      defaultVariant: 'full',
      payee: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
      payment: { mode: 'mock', chainId: null, router: null, token: null },
    });
    expect(quote.variants.map((v) => [v.id, v.price])).toEqual([
      ['full', '0.30'],
      ['summary', '0.05'],
    ]);
  });

  it('answers 402 with what to pay when there is no proof', async () => {
    const response = await provider.invoke({ variant: 'summary', input: { text: 'hi' } }).expect(402);
    const body = PaymentRequiredBody.parse(response.body);
    expect(body.error.code).toBe('PAYMENT_REQUIRED');
    expect(body.required).toEqual({ serviceId: 'LOG_ARCHIVE', variant: 'summary', amount: '0.05' });
    expect(body.quote.payment.headers).toEqual({ paymentId: 'x-payment-id', txHash: 'x-payment-tx' });
  });

  it('offers no x402 payment in mock mode (there is no token): no PAYMENT-REQUIRED header', async () => {
    const response = await provider.invoke({ variant: 'summary', input: { text: 'hi' } }).expect(402);
    expect(response.get('PAYMENT-REQUIRED')).toBeUndefined();
  });

  it('serves a paid call once and refuses the same proof again with 409', async () => {
    const { payment, headers } = await provider.pay();
    const served = await provider.invoke({ input: { text: 'hello' } }, headers).expect(200);
    const replay = await provider.invoke({ input: { text: 'hello again' } }, headers).expect(409);

    expect(InvokeResponse.parse(served.body)).toMatchObject({
      serviceId: 'LOG_ARCHIVE',
      variant: 'full',
      payment: { paymentId: payment.id, amount: '0.30', txHash: null },
      result: { echo: 'hello', variant: 'full', paidWith: payment.id },
    });
    expect(replay.body.error.code).toBe('PAYMENT_ALREADY_REDEEMED');
    expect(await provider.redemptions.get(payment.id)).toMatchObject({ status: 'SERVED' });
  });

  it('serves exactly one of ten concurrent uses of one proof', async () => {
    const { headers } = await provider.pay({ variant: 'summary' });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => provider.invoke({ variant: 'summary', input: { text: `race ${i}` } }, headers)),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(9);
  });

  it('refuses a payment id the ledger does not know', async () => {
    const response = await provider.invoke({ input: { text: 'x' } }, { 'x-payment-id': `pay_${'0'.repeat(32)}` }).expect(402);
    expect(PaymentRequiredBody.parse(response.body)).toMatchObject({ error: { code: 'PAYMENT_INVALID' }, reason: 'UNKNOWN_PAYMENT' });
  });

  it('refuses a payment below the variant price, which still pays for the cheaper variant', async () => {
    const { headers } = await provider.pay({ variant: 'summary' });
    const refused = await provider.invoke({ variant: 'full', input: { text: 'x' } }, headers).expect(402);
    expect(refused.body).toMatchObject({ reason: 'AMOUNT_TOO_LOW', required: { amount: '0.30' } });
    await provider.invoke({ variant: 'summary', input: { text: 'x' } }, headers).expect(200);
  });

  it("refuses a payment made to another provider's payee or for another service", async () => {
    const toOther = await provider.pay({ serviceId: 'PRICE_ORACLE' });
    const forOther = await provider.pay({ serviceId: 'IMAGE_GEN' });
    expect((await provider.invoke({ input: { text: 'x' } }, toOther.headers).expect(402)).body.reason).toBe('WRONG_PAYEE');
    expect((await provider.invoke({ input: { text: 'x' } }, forOther.headers).expect(402)).body.reason).toBe('WRONG_SERVICE');
  });

  it('refuses bad input and precheck failures for free: the proof then serves a good request', async () => {
    const { payment, headers } = await provider.pay();
    const bad = await provider.invoke({ input: { text: '' } }, headers).expect(400);
    const unknownVariant = await provider.invoke({ variant: 'deluxe', input: { text: 'x' } }, headers).expect(400);
    const notFound = await provider.invoke({ input: { text: 'unknown' } }, headers).expect(404);

    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [expect.objectContaining({ path: 'body.input.text' })] });
    expect(unknownVariant.body.error.details[0].path).toBe('body.variant');
    expect(notFound.body.error.code).toBe('NOT_FOUND');
    expect(await provider.redemptions.get(payment.id)).toBeUndefined();
    await provider.invoke({ input: { text: 'now good' } }, headers).expect(200);
  });

  it('answers 400 for a malformed proof header', async () => {
    const response = await provider.invoke({ input: { text: 'x' } }, { 'x-payment-id': 'not-an-id' }).expect(400);
    expect(response.body.error.details[0].path).toBe('headers.x-payment-id');
  });

  it('refunds the payment in the ledger when the handler fails, and says so', async () => {
    const { payment, headers } = await provider.pay();
    const response = await provider.invoke({ input: { text: 'x', outcome: 'throw' } }, headers).expect(500);
    const body = ProviderFailureBody.parse(response.body);

    expect(body.error.code).toBe('INTERNAL_ERROR');
    expect(body.refund).toMatchObject({ status: 'REFUNDED', paymentId: payment.id, txHash: null });
    expect(await provider.network.payments.get(payment.id)).toMatchObject({ status: 'REFUNDED' });
    expect(await provider.redemptions.get(payment.id)).toMatchObject({ status: 'REFUNDED', ledgerSynced: true });
    await provider.invoke({ input: { text: 'again' } }, headers).expect(409);
  });

  it('refunds a call the handler refuses after payment too (a 4xx from run)', async () => {
    const { payment, headers } = await provider.pay();
    const response = await provider.invoke({ input: { text: 'x', outcome: 'bad-request' } }, headers).expect(400);
    expect(response.body.refund).toMatchObject({ status: 'REFUNDED', paymentId: payment.id });
  });

  it('keeps its free routes free', async () => {
    expect((await request(provider.app).get('/free').expect(200)).body).toEqual({ free: true });
  });
});

describe('a paid route whose payments ledger is down', () => {
  it('answers 503 PAYMENT_UNVERIFIABLE to a proof without a receipt, redeems nothing, and reports itself unhealthy', async () => {
    const provider = await createProviderUnderTest(buildEchoProvider, { serviceId: 'LOG_ARCHIVE', mode: 'mock' });
    try {
      const { payment } = await provider.pay();
      await provider.network.payment.stop();
      const response = await request(provider.app)
        .post('/invoke')
        .set({ [PAYMENT_ID_HEADER]: payment.id })
        .send({ input: { text: 'x' } })
        .expect(503);
      expect(response.body.error.code).toBe('PAYMENT_UNVERIFIABLE');
      expect(await provider.redemptions.get(payment.id)).toBeUndefined();
      const health = await request(provider.app).get('/health').expect(503);
      expect(health.body.checks.payment.status).toBe('failing');
    } finally {
      await provider.close();
    }
  });

  it("serves a proof with the payment service's receipt on its own word, once, with no call to the ledger", async () => {
    const provider = await createProviderUnderTest(buildEchoProvider, { serviceId: 'LOG_ARCHIVE', mode: 'mock' });
    try {
      const { payment, headers } = await provider.pay();
      expect(headers[PAYMENT_RECEIPT_HEADER]).toEqual(expect.any(String));
      await provider.network.payment.stop();
      const served = await request(provider.app)
        .post('/invoke')
        .set(headers)
        .send({ input: { text: 'x' } })
        .expect(200);
      expect(served.body).toMatchObject({ payment: { paymentId: payment.id, amount: '0.30' } });
      const again = await request(provider.app)
        .post('/invoke')
        .set(headers)
        .send({ input: { text: 'x' } })
        .expect(409);
      expect(again.body.error.code).toBe('PAYMENT_ALREADY_REDEEMED');
    } finally {
      await provider.close();
    }
  });
});
