import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localAccount } from '@nexus/chain';
import { ConfigError } from '@nexus/config';
import { createSilentLogger } from '@nexus/service-kit';
import { findWorkspaceRoot } from '@nexus/service-kit/testing';
import { Wallet } from 'ethers';
import { assembleProvider } from './assemble-provider';
import { buildEchoProvider } from './testing/echo-provider';

describe('a provider on a real network', () => {
  const realNetwork = {
    NEXUS_CONFIG_DIR: join(findWorkspaceRoot(), 'config'),
    PAYMENT_MODE: 'chain',
    CHAIN_ID: '1',
    // nothing listens there: the refusal comes before any RPC call
    CHAIN_RPC_URL: 'http://127.0.0.1:9',
    MNEE_TOKEN_ADDRESS: Wallet.createRandom().address,
    PAYMENT_ROUTER_ADDRESS: Wallet.createRandom().address,
  };
  const assemble = (env: Record<string, string>) =>
    assembleProvider({
      name: 'log-archive',
      build: buildEchoProvider,
      env,
      serviceEnv: {
        host: '127.0.0.1',
        port: 0,
        serviceToken: 'service-token-0123456789',
        callers: new Map(),
        databaseUrl: undefined,
        dataDir: mkdtempSync(join(tmpdir(), 'nexus-dev-')),
      },
      logger: createSilentLogger(),
    }).catch((failure: unknown) => failure);

  it("refuses the shipped payee (a Hardhat address) and Hardhat's payee keys at start", async () => {
    const error = await assemble({ ...realNetwork, LOG_ARCHIVE_PAYEE_PRIVATE_KEY: localAccount(4).privateKey });

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { source: 'services.yaml (or NEXUS_SERVICE_<ID>_PAYEE)', path: 'payee', message: expect.stringContaining('account #4') },
      { source: 'environment variable LOG_ARCHIVE_PAYEE_PRIVATE_KEY', path: '', message: expect.stringContaining('refused on chain 1') },
    ]);
  });

  it('takes its own payee address past that check', async () => {
    const error = await assemble({ ...realNetwork, NEXUS_SERVICE_LOG_ARCHIVE_PAYEE: Wallet.createRandom().address });
    expect(String(error)).not.toMatch(/Hardhat/);
  });
});
