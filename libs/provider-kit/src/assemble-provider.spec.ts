import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { ConfigError } from '@nexus/config';
import { createSilentLogger } from '@nexus/service-kit';
import { findWorkspaceRoot } from '@nexus/service-kit/testing';
import { assembleProvider } from './assemble-provider';
import { buildEchoProvider } from './testing/echo-provider';

describe('a provider on a configured (real) network', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain();
  }, 60_000);
  afterAll(() => chain?.stop());

  const assemble = (env: Record<string, string>) =>
    assembleProvider({
      name: 'log-archive',
      build: buildEchoProvider,
      env: {
        NEXUS_CONFIG_DIR: join(findWorkspaceRoot(), 'config'),
        PAYMENT_MODE: 'chain',
        CHAIN_RPC_URL: chain.deployment.rpcUrl,
        CHAIN_ID: String(chain.deployment.chainId),
        MNEE_TOKEN_ADDRESS: chain.deployment.token.address,
        PAYMENT_ROUTER_ADDRESS: chain.deployment.router,
        ...env,
      },
      serviceEnv: {
        host: '127.0.0.1',
        port: 0,
        serviceToken: 'test-service-token-0123456789',
        callers: new Map(),
        databaseUrl: undefined,
        dataDir: mkdtempSync(join(tmpdir(), 'nexus-provider-')),
      },
      logger: createSilentLogger('log-archive'),
    });

  it('refuses to start without TREASURY_ADDRESS: it could not tell the treasury’s payments from anybody’s', async () => {
    const failure = await assemble({}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toEqual([
      expect.objectContaining({ source: 'environment variable TREASURY_ADDRESS', message: expect.stringContaining('treasury') }),
    ]);
  });

  it('starts with it, quoting the configured router', async () => {
    const provider = await assemble({ TREASURY_ADDRESS: chain.treasury.address });
    try {
      expect(provider.paywall.quote.payment).toMatchObject({ mode: 'chain', chainId: 31337, router: chain.deployment.router });
    } finally {
      await provider.close();
    }
  });
});
