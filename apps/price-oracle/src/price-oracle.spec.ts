import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createProviderUnderTest, useProviderUnderTest } from '@nexus/provider-kit/testing';
import { ErrorBody, InvokeResponse, PriceAnswer, PriceSymbolList } from '@nexus/types';
import { priceOracleBuilder } from './build-price-oracle';

/** The oracle's clock in these tests: a fixed instant, so prices are known in advance. */
const NOW = new Date('2026-03-10T12:00:30.000Z');
const build = priceOracleBuilder(() => NOW);

const answerOf = (body: unknown) => {
  const answer = InvokeResponse.parse(body);
  return { answer, price: PriceAnswer.parse(answer.result) };
};

describe('PRICE_ORACLE paid in mock mode', () => {
  const provider = useProviderUnderTest(build, { serviceId: 'PRICE_ORACLE' });

  it('answers a paid query with the price of the pair, its timestamp, bucket and source', async () => {
    const { payment, headers } = await provider.pay();
    const response = await provider.invoke({ variant: 'query', input: { base: 'eth', quote: 'usd' } }, headers).expect(200);
    const { answer, price } = answerOf(response.body);

    expect(answer).toMatchObject({ serviceId: 'PRICE_ORACLE', variant: 'query', payment: { paymentId: payment.id, amount: '0.05' } });
    // config/prices.yaml: ETH/USD 3150.25 moved by +78 bp in this bucket
    expect(price).toEqual({
      base: 'ETH',
      quote: 'USD',
      price: '3174.82195',
      timestamp: '2026-03-10T12:00:30.000Z',
      source: 'nexus-reference-feed',
      bucket: { index: 29_552_400, seconds: 60, start: '2026-03-10T12:00:00.000Z', end: '2026-03-10T12:01:00.000Z' },
      route: 'direct',
      via: null,
      legs: [{ base: 'ETH', quote: 'USD', price: '3174.82195', driftBps: 78 }],
    });
  });

  it('gives the same price for the same instant, in the default quote, inverse and cross', async () => {
    const at = '2026-03-10T11:00:10Z';
    const ask = async (input: object) => {
      const { headers } = await provider.pay();
      return answerOf((await provider.invoke({ input: { ...input, at } }, headers).expect(200)).body).price;
    };
    const first = await ask({ base: 'ETH' });
    const again = await ask({ base: 'ETH', quote: 'USD' });
    const inverse = await ask({ base: 'USD', quote: 'ETH' });
    const cross = await ask({ base: 'ETH', quote: 'BTC' });

    expect(again.price).toBe(first.price);
    expect(first).toMatchObject({ quote: 'USD', timestamp: '2026-03-10T11:00:10.000Z', route: 'direct' });
    expect(inverse).toMatchObject({ route: 'inverse', legs: [{ price: first.price }] });
    expect(cross).toMatchObject({ route: 'cross', via: 'USD', legs: [{ base: 'ETH', price: first.price }, { base: 'BTC' }] });
  });

  it('refuses an unknown symbol with 404 before taking the payment, which then pays for a price it knows', async () => {
    const { payment, headers } = await provider.pay();
    const refused = await provider.invoke({ input: { base: 'DOGE', quote: 'USD' } }, headers).expect(404);

    expect(ErrorBody.parse(refused.body).error).toMatchObject({ code: 'PRICE_NOT_FOUND', message: expect.stringContaining('DOGE') });
    expect(await provider.redemptions.get(payment.id)).toBeUndefined();

    const served = await provider.invoke({ input: { base: 'BTC' } }, headers).expect(200);
    expect(answerOf(served.body).answer.payment.paymentId).toBe(payment.id);
  });

  it('refuses unknown symbols and the future for free, without asking for payment', async () => {
    const unknown = await provider.invoke({ input: { base: 'XRP', quote: 'DOGE' } }).expect(404);
    const future = await provider.invoke({ input: { base: 'ETH', at: '2026-03-10T12:01:00Z' } }).expect(400);
    const same = await provider.invoke({ input: { base: 'USD' } }).expect(400);

    expect(ErrorBody.parse(unknown.body).error.message).toContain('XRP or DOGE');
    expect(ErrorBody.parse(future.body).error.details).toEqual([{ path: 'body.input.at', message: expect.stringContaining('future') }]);
    expect(ErrorBody.parse(same.body).error.details).toEqual([{ path: 'body.input.base', message: expect.stringContaining('USD') }]);
  });

  it('answers bad input with 400 and every problem', async () => {
    const response = await provider.invoke({ input: { base: 'E', quote: 42, at: 'yesterday', extra: 1 } }).expect(400);
    const body = ErrorBody.parse(response.body);

    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details?.map((d) => d.path).sort()).toEqual(['body.input', 'body.input.at', 'body.input.base', 'body.input.quote']);
    const same = await provider.invoke({ input: { base: 'ETH', quote: 'eth' } }).expect(400);
    expect(ErrorBody.parse(same.body).error.details).toEqual([{ path: 'body.input.quote', message: 'must differ from base' }]);
  });

  it('lists the symbols and pairs it knows for free', async () => {
    const response = await request(provider.app).get('/symbols').expect(200);
    const listing = PriceSymbolList.parse(response.body);

    expect(listing).toMatchObject({ source: 'nexus-reference-feed', defaultQuote: 'USD', bucketSeconds: 60 });
    expect(listing.symbols.map((s) => s.symbol)).toEqual(expect.arrayContaining(['USD', 'ETH', 'BTC', 'MNEE']));
    expect(listing.pairs).toContainEqual({ base: 'ETH', quote: 'USD' });
  });

  it('counts answers and refusals in its metrics and reports healthy', async () => {
    await request(provider.app).get('/health').expect(200);
    const metrics = await request(provider.app).get('/metrics').expect(200);

    expect(metrics.text).toMatch(/price_oracle_answers_total\{route="direct",service="price-oracle"\} [1-9]/);
    expect(metrics.text).toMatch(/price_oracle_refusals_total\{reason="UNKNOWN_SYMBOL",service="price-oracle"\} [1-9]/);
  });

  it('reads the feed PRICE_FEED_FILE names, and refuses to start on a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'price-feed-'));
    const file = join(dir, 'prices.yaml');
    writeFileSync(
      file,
      [
        'feed: { source: my-feed, bucketSeconds: 3600, defaultQuote: EUR, drift: { amplitudeBps: 0, periodBuckets: 2, noiseBps: 0 } }',
        'symbols: { EUR: Euro, GOLD: Gold }',
        'pairs: [{ base: GOLD, quote: EUR, price: "2000.125" }]',
      ].join('\n'),
    );
    const custom = await createProviderUnderTest(build, {
      serviceId: 'PRICE_ORACLE',
      network: provider.network,
      env: { PRICE_FEED_FILE: file },
    });
    try {
      const { headers } = await custom.pay();
      const response = await request(custom.app)
        .post('/invoke')
        .set(headers)
        .send({ input: { base: 'GOLD' } })
        .expect(200);
      expect(answerOf(response.body).price).toMatchObject({ quote: 'EUR', price: '2000.125', source: 'my-feed' });
    } finally {
      await custom.close();
    }

    writeFileSync(file, 'feed: { source: my-feed }\nsymbols: {}\npairs: []\n');
    await expect(
      createProviderUnderTest(build, { serviceId: 'PRICE_ORACLE', network: provider.network, env: { PRICE_FEED_FILE: file } }),
    ).rejects.toThrow(/feed\.bucketSeconds[\s\S]*feed\.defaultQuote[\s\S]*pairs/);
  });
});

describe('PRICE_ORACLE paid on a local chain', () => {
  const provider = useProviderUnderTest(build, { serviceId: 'PRICE_ORACLE', mode: 'chain', timeoutMs: 120_000 });

  it('answers for a payment settled through the router, proven by its transaction', async () => {
    const { payment, headers } = await provider.pay();
    const response = await request(provider.app)
      .post('/invoke')
      .set(headers)
      .send({ input: { base: 'BTC', quote: 'ETH' } })
      .expect(200);
    const { answer, price } = answerOf(response.body);

    expect(payment.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(answer).toMatchObject({ variant: 'query', payment: { paymentId: payment.id, txHash: payment.txHash, amount: '0.05' } });
    expect(price).toMatchObject({ base: 'BTC', quote: 'ETH', route: 'cross', via: 'USD' });
  });
});
