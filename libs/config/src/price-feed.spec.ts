import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPriceFeed } from './price-feed';
import { configErrorOf, problemsOf } from './testing/config-error-of';

const repoConfig = resolve(__dirname, '../../../config');

function feedFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nexus-prices-')), 'prices.yaml');
  writeFileSync(file, text);
  return file;
}

const VALID = `
feed:
  source: test-feed
  bucketSeconds: 30
  defaultQuote: USD
  drift: { amplitudeBps: 100, periodBuckets: 10, noiseBps: 5 }
symbols: { USD: US dollar, ETH: Ether, BTC: Bitcoin }
pairs:
  - { base: ETH, quote: USD, price: "3000.5" }
  - { base: BTC, quote: USD, price: "60000", drift: { noiseBps: 0 } }
`;

describe('loadPriceFeed', () => {
  it('loads the repository feed, each pair with its own drift over the feed default', () => {
    const feed = loadPriceFeed({ env: { NEXUS_CONFIG_DIR: repoConfig } });

    expect(feed).toMatchObject({ file: join(repoConfig, 'prices.yaml'), source: 'nexus-reference-feed', defaultQuote: 'USD', decimals: 8 });
    expect(feed.symbols).toContainEqual({ symbol: 'ETH', name: 'Ether' });
    expect(feed.pairs.find((pair) => pair.base === 'ETH')).toEqual({
      base: 'ETH',
      quote: 'USD',
      price: '3150.25',
      drift: { amplitudeBps: 150, periodBuckets: 1440, noiseBps: 20 },
    });
    expect(feed.pairs.find((pair) => pair.base === 'MNEE')?.drift).toEqual({ amplitudeBps: 0, periodBuckets: 1440, noiseBps: 0 });
  });

  it('reads the file PRICE_FEED_FILE names, defaulting decimals to 8', () => {
    const file = feedFile(VALID);
    const feed = loadPriceFeed({ env: { PRICE_FEED_FILE: file, NEXUS_CONFIG_DIR: repoConfig } });

    expect(feed).toMatchObject({ file, source: 'test-feed', bucketSeconds: 30, decimals: 8 });
    expect(feed.pairs).toEqual([
      { base: 'ETH', quote: 'USD', price: '3000.5', drift: { amplitudeBps: 100, periodBuckets: 10, noiseBps: 5 } },
      { base: 'BTC', quote: 'USD', price: '60000', drift: { amplitudeBps: 100, periodBuckets: 10, noiseBps: 0 } },
    ]);
  });

  it('refuses a bad file listing every problem with its field', () => {
    const file = feedFile(`
feed:
  source: ""
  bucketSeconds: 0
  defaultQuote: usd
  drift: { amplitudeBps: 6000, periodBuckets: 10, noiseBps: 5 }
  colour: blue
symbols: { USD: US dollar, eth: Ether }
pairs:
  - { base: ETH, quote: USD, price: 3000.5 }
  - { base: BTC, quote: USD, price: "-1" }
  - { base: SOL, quote: USD, price: "0.000" }
  - { base: DOGE, quote: USD, price: "1e3", drift: { noiseBps: 2000 } }
`);
    const problems = problemsOf(() => loadPriceFeed({ file }));

    expect(problems.map((p) => [p.source, p.path])).toEqual([
      [file, 'feed.source'],
      [file, 'feed.bucketSeconds'],
      [file, 'feed.defaultQuote'],
      [file, 'feed.drift.amplitudeBps'],
      [file, 'feed'],
      [file, 'symbols.eth'],
      [file, 'pairs.0.price'],
      [file, 'pairs.1.price'],
      [file, 'pairs.2.price'],
      [file, 'pairs.3.price'],
      [file, 'pairs.3.drift.noiseBps'],
    ]);
    expect(problems.find((p) => p.path === 'pairs.0.price')?.message).toContain('not a number');
    expect(problems.find((p) => p.path === 'pairs.2.price')?.message).toBe('must be more than zero');
    expect(problems.find((p) => p.path === 'feed')?.message).toMatch(/colour/);
  });

  it('refuses pairs of unknown symbols, a pair given twice or with its inverse, and an unknown default quote', () => {
    const file = feedFile(`
feed: { source: f, bucketSeconds: 60, defaultQuote: EUR, drift: { amplitudeBps: 1, periodBuckets: 2, noiseBps: 0 } }
symbols: { USD: US dollar, ETH: Ether }
pairs:
  - { base: ETH, quote: USD, price: "1" }
  - { base: USD, quote: ETH, price: "1" }
  - { base: ETH, quote: ETH, price: "1" }
  - { base: DOGE, quote: USD, price: "1" }
`);

    expect(problemsOf(() => loadPriceFeed({ file }))).toEqual([
      { source: file, path: 'feed.defaultQuote', message: '"EUR" is not one of the symbols' },
      { source: file, path: 'pairs.1', message: 'USD/ETH is already priced by pairs.0 (a pair and its inverse are one pair)' },
      { source: file, path: 'pairs.2.quote', message: 'must differ from base' },
      { source: file, path: 'pairs.3.base', message: '"DOGE" is not one of the symbols' },
    ]);
  });

  it('says when the file is missing, empty or not YAML', () => {
    const missing = join(tmpdir(), 'no-such-dir-nexus', 'prices.yaml');

    expect(problemsOf(() => loadPriceFeed({ file: missing }))).toEqual([{ source: missing, path: '', message: 'cannot be read (ENOENT)' }]);
    const empty = feedFile('# nothing\n');
    expect(problemsOf(() => loadPriceFeed({ file: empty }))).toEqual([{ source: empty, path: '', message: 'is empty' }]);
    const broken = feedFile('feed: [\n');
    expect(problemsOf(() => loadPriceFeed({ file: broken }))[0]?.message).toMatch(/^is not valid YAML: .* \(line \d+, column \d+\)$/);
    // the error it was read from stays on as the cause
    expect(configErrorOf(() => loadPriceFeed({ file: missing })).cause).toMatchObject({ code: 'ENOENT' });
    expect(configErrorOf(() => loadPriceFeed({ file: broken })).cause).toMatchObject({ name: 'YAMLException' });
  });
});
