import { freePort } from '@nexus/chain/testing';
import { providerProcessEnv, useTestPaymentNetwork } from '@nexus/provider-kit/testing';
import { startServiceProcess } from '@nexus/service-kit/testing';
import { ErrorBody, Quote } from '@nexus/types';

describe('log-archive start-up', () => {
  const suite = useTestPaymentNetwork();

  it('starts from its entry point, quotes both variants, asks to be paid, and stops on SIGTERM', async () => {
    const service = await startServiceProcess({
      app: 'log-archive',
      port: await freePort(),
      env: providerProcessEnv(suite.network, 'log-archive'),
    });
    try {
      const quote = Quote.parse(await (await fetch(`${service.url}/quote`)).json());
      expect(quote).toMatchObject({ serviceId: 'LOG_ARCHIVE', defaultVariant: 'full', payment: { mode: 'mock' } });
      expect(quote.variants.map((variant) => [variant.id, variant.price])).toEqual([
        ['full', '0.30'],
        ['summary', '0.05'],
      ]);

      const unpaid = await fetch(`${service.url}/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          variant: 'summary',
          input: { lines: [{ timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'hi' }] },
        }),
      });
      expect(unpaid.status).toBe(402);
      expect(ErrorBody.parse(await unpaid.json()).error.code).toBe('PAYMENT_REQUIRED');
    } finally {
      await service.stop();
    }
    expect(service.child.exitCode).toBe(0);
  });
});
