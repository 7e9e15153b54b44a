import type { PriceFeed } from '@nexus/config';
import { applyDrift, driftBps } from './drift';
import { ONE, formatPrice, parsePrice } from './fixed-point';
import { PriceBook, isRoute, type Route } from './price-book';

const DRIFT = { amplitudeBps: 150, periodBuckets: 1440, noiseBps: 20 };
const FEED: PriceFeed = {
  file: 'test',
  source: 'test-feed',
  bucketSeconds: 60,
  decimals: 8,
  defaultQuote: 'USD',
  symbols: [
    { symbol: 'USD', name: 'US dollar' },
    { symbol: 'EUR', name: 'Euro' },
    { symbol: 'ETH', name: 'Ether' },
    { symbol: 'BTC', name: 'Bitcoin' },
    { symbol: 'MNEE', name: 'MNEE' },
    { symbol: 'GOLD', name: 'Gold' },
    { symbol: 'SILVER', name: 'Silver' },
    { symbol: 'LONELY', name: 'No pair at all' },
  ],
  pairs: [
    { base: 'ETH', quote: 'USD', price: '3150.25', drift: DRIFT },
    { base: 'BTC', quote: 'USD', price: '64250.00', drift: DRIFT },
    { base: 'MNEE', quote: 'USD', price: '1.00', drift: { ...DRIFT, amplitudeBps: 0, noiseBps: 0 } },
    { base: 'GOLD', quote: 'EUR', price: '2100', drift: DRIFT },
    { base: 'SILVER', quote: 'EUR', price: '25.5', drift: DRIFT },
  ],
};
const book = new PriceBook(FEED);
const AT = new Date('2026-03-10T12:00:30.000Z');
const BUCKET = 29_552_400n;

function routeOf(base: string, quote: string): Route {
  const found = book.route(base, quote);
  if (!isRoute(found)) throw new Error(`no route for ${base}/${quote}: ${found.reason}`);
  return found;
}
const answer = (base: string, quote: string, at = AT) => book.priceAt(base, quote, routeOf(base, quote), at);
const drifted = (base: string, quote: string, price: string) => applyDrift(parsePrice(price), driftBps(base, quote, BUCKET, DRIFT));

describe('PriceBook', () => {
  it('prices a configured pair at its base price moved by the bucket drift', () => {
    expect(answer('ETH', 'USD')).toEqual({
      base: 'ETH',
      quote: 'USD',
      price: formatPrice(drifted('ETH', 'USD', '3150.25'), 8),
      timestamp: '2026-03-10T12:00:30.000Z',
      source: 'test-feed',
      bucket: { index: 29_552_400, seconds: 60, start: '2026-03-10T12:00:00.000Z', end: '2026-03-10T12:01:00.000Z' },
      route: 'direct',
      via: null,
      legs: [
        {
          base: 'ETH',
          quote: 'USD',
          price: formatPrice(drifted('ETH', 'USD', '3150.25'), 8),
          driftBps: driftBps('ETH', 'USD', BUCKET, DRIFT),
        },
      ],
    });
  });

  it('gives every instant of a bucket the same price', () => {
    const first = answer('ETH', 'USD', new Date('2026-03-10T12:00:00.000Z'));
    const last = answer('ETH', 'USD', new Date('2026-03-10T12:00:59.999Z'));

    expect(last.price).toBe(first.price);
    expect(last.bucket).toEqual(first.bucket);
    expect(answer('ETH', 'USD', new Date('2026-03-10T12:01:00.000Z')).bucket.index).toBe(first.bucket.index + 1);
  });

  it('prices the inverse of a configured pair as one over its price', () => {
    const inverse = answer('USD', 'ETH');

    expect(inverse).toMatchObject({ route: 'inverse', via: null, legs: [{ base: 'ETH', quote: 'USD' }] });
    const product = parsePrice(inverse.price) * drifted('ETH', 'USD', '3150.25');
    // six significant digits: within a millionth of 1
    expect(product > ONE * ONE - (ONE * ONE) / 1_000_000n && product < ONE * ONE + (ONE * ONE) / 1_000_000n).toBe(true);
  });

  it('prices a cross pair through the default quote from both legs of the same bucket', () => {
    const cross = answer('ETH', 'BTC');
    const expected = (drifted('ETH', 'USD', '3150.25') * ONE) / drifted('BTC', 'USD', '64250.00');

    expect(cross).toMatchObject({
      route: 'cross',
      via: 'USD',
      legs: [
        { base: 'ETH', quote: 'USD' },
        { base: 'BTC', quote: 'USD' },
      ],
    });
    expect(cross.price).toBe(formatPrice(expected, 8));
  });

  it('bridges through another common quote when the default quote does not connect the pair', () => {
    expect(answer('GOLD', 'SILVER')).toMatchObject({ route: 'cross', via: 'EUR' });
    expect(answer('EUR', 'SILVER')).toMatchObject({ route: 'inverse' });
  });

  it('holds a pair without drift at its base price', () => {
    for (const minute of [0, 7, 600, 1_000]) {
      expect(answer('MNEE', 'USD', new Date(AT.getTime() + minute * 60_000)).price).toBe('1.00');
    }
    expect(answer('USD', 'MNEE').price).toBe('1.00');
  });

  it('names the symbols it does not know and tells a missing route apart', () => {
    expect(book.route('DOGE', 'XRP')).toEqual({ reason: 'UNKNOWN_SYMBOL', symbols: ['DOGE', 'XRP'] });
    expect(book.route('ETH', 'DOGE')).toEqual({ reason: 'UNKNOWN_SYMBOL', symbols: ['DOGE'] });
    expect(book.route('LONELY', 'USD')).toEqual({ reason: 'NO_ROUTE' });
    expect(book.route('ETH', 'GOLD')).toEqual({ reason: 'NO_ROUTE' });
  });

  it('lists its symbols and configured pairs, not their prices', () => {
    const listing = book.listing();

    expect(listing).toMatchObject({ source: 'test-feed', defaultQuote: 'USD', bucketSeconds: 60 });
    expect(listing.symbols).toHaveLength(8);
    expect(listing.pairs).toContainEqual({ base: 'ETH', quote: 'USD' });
    expect(JSON.stringify(listing)).not.toContain('3150');
  });
});
