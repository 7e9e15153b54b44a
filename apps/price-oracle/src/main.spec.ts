import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { providerProcessEnv, useTestPaymentNetwork } from '@nexus/provider-kit/testing';
import { runServiceToExit, startServiceProcess } from '@nexus/service-kit/testing';

describe('price-oracle start-up', () => {
  const suite = useTestPaymentNetwork();
  const env = (extra: Record<string, string> = {}) => providerProcessEnv(suite.network, 'price-oracle', extra);

  it('starts from its entry point with the repository feed, quotes, lists its symbols, and stops on SIGTERM', async () => {
    const service = await startServiceProcess({ app: 'price-oracle', port: await freePort(), env: env() });
    try {
      const quote = (await (await fetch(`${service.url}/quote`)).json()) as {
        serviceId: string;
        variants: { id: string; price: string }[];
      };
      expect(quote).toMatchObject({ serviceId: 'PRICE_ORACLE', variants: [{ id: 'query', price: '0.05' }] });
      const symbols = (await (await fetch(`${service.url}/symbols`)).json()) as { source: string };
      expect(symbols.source).toBe('nexus-reference-feed');
    } finally {
      await service.stop();
    }
    expect(service.child.exitCode).toBe(0);
  });

  it('refuses to start on a bad feed, naming the file and every field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'price-feed-')), 'prices.yaml');
    writeFileSync(
      file,
      'feed: { source: x, bucketSeconds: -1, defaultQuote: USD, drift: { amplitudeBps: 1, periodBuckets: 2, noiseBps: 0 } }\nsymbols: { USD: US dollar }\npairs: [{ base: ETH, quote: USD, price: 1.5 }]\n',
    );
    const result = runServiceToExit({ app: 'price-oracle', env: env({ PRICE_FEED_FILE: file }) });
    const output = `${result.stdout}${result.stderr}`;

    expect(result.status).toBe(1);
    expect(output).toContain(file);
    expect(output).toContain('feed.bucketSeconds');
    expect(output).toContain('pairs.0.price');
  });
});
