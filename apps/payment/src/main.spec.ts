import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localAccount, writeDeployment } from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { TestGrantIssuer, TestReceiptKeys } from '@nexus/clients/testing';
import { testCredentialEnv, runServiceToExit } from '@nexus/service-kit/testing';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';

const root = join(__dirname, '../../..');
const entry = ['--import', 'tsx', join(__dirname, 'main.ts')];
const TREASURY_KEY = localAccount(0).privateKey;
const policyKeys = new TestGrantIssuer();
const receiptKeys = new TestReceiptKeys();

const baseEnv = (env: Record<string, string>) => ({
  PATH: process.env['PATH'] ?? '',
  ...testCredentialEnv('payment', CALLERS_ACCEPTED_BY.payment),
  NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'payment-data-')),
  PAYMENT_PORT: '0',
  ...policyKeys.paymentEnv,
  ...receiptKeys.paymentEnv,
  ...env,
});

/** Runs the real entry point (through tsx) to its end and returns what it logged and its exit code. */
function start(env: Record<string, string>) {
  const result = runServiceToExit({ app: 'payment', env: baseEnv(env) });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Starts the real entry point, waits for "ready", returns what it logged, then stops it with SIGTERM. */
async function startUntilReady(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, entry, { cwd: root, env: baseEnv(env) });
  let seen = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('payment service ready')) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => (seen += chunk.toString()));
      child.once('exit', () => reject(new Error(`exited before ready: ${seen}`)));
    });
    return seen;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

describe('payment start-up', () => {
  it('starts in mock mode with no chain at all', async () => {
    const output = await startUntilReady({ PAYMENT_MODE: 'mock' });
    expect(output).toContain('"mode":"mock"');
  });

  it("refuses to start without the policy's grant public key, or with a private key in its place, never printing it", () => {
    const missing = start({ PAYMENT_MODE: 'mock', POLICY_GRANT_PUBLIC_KEY: '' });
    expect(missing.status).toBe(1);
    expect(missing.output).toContain('environment variable POLICY_GRANT_PUBLIC_KEY');

    const privateKey = policyKeys.policyEnv['POLICY_GRANT_PRIVATE_KEY'] ?? '';
    const wrongHalf = start({ PAYMENT_MODE: 'mock', POLICY_GRANT_PUBLIC_KEY: privateKey });
    expect(wrongHalf.status).toBe(1);
    expect(wrongHalf.output).toContain('environment variable POLICY_GRANT_PUBLIC_KEY');
    expect(wrongHalf.output).not.toContain(privateKey.slice(0, 40));
  });

  it('refuses to start in mock mode without the receipt signing key, naming it', () => {
    const missing = start({ PAYMENT_MODE: 'mock', PAYMENT_RECEIPT_PRIVATE_KEY: '' });
    expect(missing.status).toBe(1);
    expect(missing.output).toContain('environment variable PAYMENT_RECEIPT_PRIVATE_KEY');
  });

  it('refuses chain mode without a local deployment, saying how to get one', () => {
    const { status, output } = start({ PAYMENT_MODE: 'chain', TREASURY_PRIVATE_KEY: TREASURY_KEY, CHAIN_RPC_URL: 'http://127.0.0.1:1' });
    expect(status).toBe(1);
    expect(output).toContain('npm run chain');
    expect(output).toContain('deployment.json');
  });

  it('refuses a half-configured real network, naming the missing variable', () => {
    const { status, output } = start({ MNEE_TOKEN_ADDRESS: `0x${'1'.repeat(40)}`, TREASURY_PRIVATE_KEY: TREASURY_KEY });
    expect(status).toBe(1);
    expect(output).toContain('environment variable PAYMENT_ROUTER_ADDRESS');
  });

  describe('against a local chain', () => {
    let chain: TestChain;
    let deploymentFile: string;
    beforeAll(async () => {
      chain = await startTestChain();
      deploymentFile = join(mkdtempSync(join(tmpdir(), 'payment-chain-')), 'deployment.json');
      writeDeployment(deploymentFile, chain.deployment);
    }, 60_000);
    afterAll(() => chain?.stop());

    it('refuses to start without the treasury key, and never prints a key', () => {
      const { status, output } = start({ CHAIN_DEPLOYMENT_FILE: deploymentFile, CHAIN_RPC_URL: chain.node.url });
      expect(status).toBe(1);
      expect(output).toContain('environment variable TREASURY_PRIVATE_KEY');
    });

    it("refuses a key that is not the deployment's treasury", () => {
      const { status, output } = start({
        CHAIN_DEPLOYMENT_FILE: deploymentFile,
        CHAIN_RPC_URL: chain.node.url,
        TREASURY_PRIVATE_KEY: localAccount(7).privateKey,
      });
      expect(status).toBe(1);
      expect(output).toContain(`is not the key of the deployment's treasury ${chain.deployment.treasury}`);
      expect(output).not.toContain(localAccount(7).privateKey.slice(2));
    });

    it('starts in chain mode and logs the addresses, never the key', async () => {
      const output = await startUntilReady({
        CHAIN_DEPLOYMENT_FILE: deploymentFile,
        CHAIN_RPC_URL: chain.node.url,
        TREASURY_PRIVATE_KEY: TREASURY_KEY,
        PAYEE_PRIVATE_KEYS: localAccount(1).privateKey,
      });
      expect(output).toContain(chain.deployment.router);
      expect(output).toContain('"payeeSigners":1');
      expect(output).not.toContain(TREASURY_KEY.slice(2));
      expect(output).not.toContain(localAccount(1).privateKey.slice(2));
    });
  });
});
