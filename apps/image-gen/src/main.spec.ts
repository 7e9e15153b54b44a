import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { startTestPaymentNetwork, type TestPaymentNetwork } from '@nexus/provider-kit/testing';
import { findWorkspaceRoot, startServiceProcess } from '@nexus/service-kit/testing';

describe('image-gen start-up', () => {
  let network: TestPaymentNetwork;
  beforeAll(async () => {
    network = await startTestPaymentNetwork('mock');
  });
  afterAll(() => network?.stop());

  const env = (extra: Record<string, string> = {}) => ({
    ...network.providerEnv,
    NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'image-gen-main-')),
    ...extra,
  });

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
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'main.ts')], {
      cwd: findWorkspaceRoot(),
      env: { PATH: process.env['PATH'] ?? '', ...env({ IMAGE_GEN_PORT: '0', IMAGE_GEN_MAX_SIDE_DRAFT: '9000' }) },
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(result.status).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toContain('environment variable IMAGE_GEN_MAX_SIDE_DRAFT');
  });
});
