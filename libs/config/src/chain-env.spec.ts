import { join, resolve } from 'node:path';
import { ConfigError } from './config-error';
import { loadChainEnv, requirePrivateKey } from './chain-env';

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('the chain environment', () => {
  it('defaults to chain mode on the local node with the deployment file under the data directory', () => {
    expect(loadChainEnv('data', {})).toEqual({
      mode: 'chain',
      target: { kind: 'local', rpcUrl: 'http://127.0.0.1:8545', deploymentFile: resolve(join('data', 'chain', 'deployment.json')) },
      confirmations: 1,
      rpcRetry: { attempts: 5, initialDelayMs: 200, maxDelayMs: 3_200 },
      receiptTimeoutMs: 45_000,
    });
  });

  it('uses a real network when the token, router and chain id are configured', () => {
    const token = `0x${'a'.repeat(40)}`;
    const router = `0x${'b'.repeat(40)}`;
    const env = loadChainEnv('data', {
      CHAIN_RPC_URL: 'https://rpc.example',
      CHAIN_ID: '1',
      MNEE_TOKEN_ADDRESS: token,
      PAYMENT_ROUTER_ADDRESS: router,
      PAYMENT_CONFIRMATIONS: '3',
    });
    expect(env.target).toEqual({
      kind: 'configured',
      rpcUrl: 'https://rpc.example',
      chainId: 1,
      tokenAddress: token,
      routerAddress: router,
    });
    expect(env.confirmations).toBe(3);
  });

  it('takes the treasury address of a real network, for providers that accept only its payments', () => {
    const env = loadChainEnv('data', {
      CHAIN_ID: '1',
      MNEE_TOKEN_ADDRESS: `0x${'a'.repeat(40)}`,
      PAYMENT_ROUTER_ADDRESS: `0x${'b'.repeat(40)}`,
      TREASURY_ADDRESS: `0x${'c'.repeat(40)}`,
    });
    expect(env.target).toMatchObject({ kind: 'configured', treasuryAddress: `0x${'c'.repeat(40)}` });
    expect(problemsOf(() => loadChainEnv('data', { TREASURY_ADDRESS: 'nope' }))[0]?.source).toBe('environment variable TREASURY_ADDRESS');
  });

  it('lists every problem, naming the variable', () => {
    const problems = problemsOf(() =>
      loadChainEnv('data', {
        PAYMENT_MODE: 'paper',
        MNEE_TOKEN_ADDRESS: `0x${'a'.repeat(40)}`,
        PAYMENT_CONFIRMATIONS: '0',
        CHAIN_RPC_URL: 'ftp://x',
      }),
    );
    expect(problems.map((problem) => problem.source).sort()).toEqual(
      ['PAYMENT_MODE', 'CHAIN_RPC_URL', 'PAYMENT_CONFIRMATIONS', 'PAYMENT_ROUTER_ADDRESS', 'CHAIN_ID']
        .map((name) => `environment variable ${name}`)
        .sort(),
    );
  });

  it('requires a well-formed private key and never echoes it', () => {
    expect(requirePrivateKey('KEY', { KEY: 'ab'.repeat(32) })).toBe(`0x${'ab'.repeat(32)}`);
    expect(problemsOf(() => requirePrivateKey('KEY', {}))[0]?.message).toContain('is required');
    const problems = problemsOf(() => requirePrivateKey('KEY', { KEY: 'secret-but-short' }));
    expect(JSON.stringify(problems)).not.toContain('secret-but-short');
  });
});
