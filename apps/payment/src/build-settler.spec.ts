import { localAccount } from '@nexus/chain';
import { ConfigError, loadChainEnv } from '@nexus/config';
import { createSilentLogger } from '@nexus/service-kit';
import { Wallet } from 'ethers';
import { buildSettler } from './build-settler';

describe('the chain settler on a real network', () => {
  const realNetwork = loadChainEnv('data', {
    PAYMENT_MODE: 'chain',
    CHAIN_ID: '1',
    // nothing listens there: the refusal comes before any RPC call
    CHAIN_RPC_URL: 'http://127.0.0.1:9',
    MNEE_TOKEN_ADDRESS: Wallet.createRandom().address,
    PAYMENT_ROUTER_ADDRESS: Wallet.createRandom().address,
  });

  it("refuses to start with Hardhat's public treasury or payee keys, naming each variable and never the key", async () => {
    const treasuryKey = localAccount(0).privateKey;
    const error: unknown = await buildSettler(realNetwork, createSilentLogger(), {
      TREASURY_PRIVATE_KEY: treasuryKey,
      PAYEE_PRIVATE_KEYS: `${Wallet.createRandom().privateKey},${localAccount(2).privateKey}`,
    }).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        source: 'environment variable TREASURY_PRIVATE_KEY',
        path: '',
        message: expect.stringContaining("Hardhat's public development account #0"),
      },
      { source: 'environment variable PAYEE_PRIVATE_KEYS', path: '', message: expect.stringContaining('account #2') },
    ]);
    expect((error as Error).message).toContain('refused on chain 1');
    expect((error as Error).message).not.toContain(treasuryKey.slice(2));
  });

  it("refuses to pay Hardhat's public addresses as payees: its own services.yaml must name real payees there", async () => {
    const error: unknown = await buildSettler(
      realNetwork,
      createSilentLogger(),
      { TREASURY_PRIVATE_KEY: Wallet.createRandom().privateKey },
      [
        { id: 'IMAGE_GEN', payee: Wallet.createRandom().address },
        { id: 'PRICE_ORACLE', payee: localAccount(3).address },
      ],
    ).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { source: 'services.yaml', path: 'services.1.payee', message: expect.stringContaining("Hardhat's public development account #3") },
    ]);
  });
});
