import { freePort } from '@nexus/chain/testing';
import { providerProcessEnv, useTestPaymentNetwork } from '@nexus/provider-kit/testing';
import { runServiceToExit, startServiceProcess } from '@nexus/service-kit/testing';

describe('image-gen start-up', () => {
  const suite = useTestPaymentNetwork();
  const env = (extra: Record<string, string> = {}) => providerProcessEnv(suite.network, 'image-gen', extra);

  it('starts from its entry point, quotes and lists its limits, and stops on SIGTERM', async () => {
    const service = await startServiceProcess({ app: 'image-gen', port: await freePort(), env: env() });
    try {
      const quote = (await (await fetch(`${service.url}/quote`)).json()) as { serviceId: string; payment: { mode: string } };
      expect(quote).toMatchObject({ serviceId: 'IMAGE_GEN', payment: { mode: 'mock' } });
      expect((await fetch(`${service.url}/limits`)).status).toBe(200);
    } finally {
      await service.stop();
    }
    expect(service.child.exitCode).toBe(0);
  });

  it('refuses to start with a bad size limit, naming the variable', () => {
    const result = runServiceToExit({ app: 'image-gen', env: env({ IMAGE_GEN_MAX_SIDE_DRAFT: '9000' }) });

    expect(result.status).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toContain('environment variable IMAGE_GEN_MAX_SIDE_DRAFT');
  });

  it("refuses to start in mock mode without the payment service's receipt key, naming it", () => {
    const result = runServiceToExit({ app: 'image-gen', env: env({ PAYMENT_RECEIPT_PUBLIC_KEY: '' }) });
    expect(result.status).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toContain('environment variable PAYMENT_RECEIPT_PUBLIC_KEY');
  });
});
