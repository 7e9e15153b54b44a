import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  connectRpc,
  LOCAL_CHAIN_ID,
  localAccount,
  MNEEToken__factory,
  PERMIT2_ADDRESS,
  readJournalHead,
  rpcChainId,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
} from '@nexus/chain';
import { freePort } from '@nexus/chain/testing';
import { RestartPolicy } from '../stack/restart-policy';
import { ensureLocalChain } from './local-chain';
import { startLocalNodeUnlessRunning, type LocalNode } from './local-node';

jest.setTimeout(120_000);

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('the local node under npm start (supervised)', () => {
  let local: LocalNode | undefined;
  afterEach(async () => {
    await local?.stop();
  });

  it('is started again after kill -9, with every journaled block, and mines on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-node-'));
    const rpcUrl = `http://127.0.0.1:${await freePort()}`;
    const deploymentFile = join(dir, 'chain', 'deployment.json');
    const lines: string[] = [];
    const restarted: number[] = [];
    const policy = new RestartPolicy();
    local = await startLocalNodeUnlessRunning({
      rpcUrl,
      deploymentFile,
      log: (line) => lines.push(line),
      supervise: {
        restartDelay: () => policy.died(),
        onGiveUp: () => lines.push('gave up'),
        onRestarted: (node) => restarted.push(node.restarts),
      },
    });
    if (!local) throw new Error('a node answered already');
    const { deployment } = await ensureLocalChain({ rpcUrl, deploymentFile });
    const provider = connectRpc(rpcUrl, LOCAL_CHAIN_ID);
    try {
      const token = MNEEToken__factory.connect(deployment.token.address, localAccount(0).connect(provider));
      for (let index = 0; index < 20; index++) await (await token.transfer(localAccount(6).address, 1n)).wait();
      const transfer = await (await token.transfer(localAccount(7).address, 123n)).wait();
      const block = await provider.getBlock('latest');
      await until('journaled head', () => (readJournalHead(local?.journalFile ?? '')?.number ?? -1) >= (block?.number ?? 0) || undefined);
      const killed = local.node.process.pid;

      // Whoever asks while it is down and starting again sees no node, or the whole replayed chain: never a part of it.
      const seen: number[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const height = await fetch(rpcUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
          })
            .then(async (response) => ((await response.json()) as { result?: string }).result)
            .catch(() => undefined);
          if (height !== undefined) seen.push(Number(height));
          await sleep(2);
        }
      })();
      local.node.process.kill('SIGKILL');

      await until('restart', () => (restarted.length > 0 ? true : undefined));
      watching = false;
      await watcher;
      expect(seen.filter((height) => height < (block?.number ?? 0))).toEqual([]);
      expect(local.restarts).toBe(1);
      expect(local.node.process.pid).not.toBe(killed);
      expect(await rpcChainId(rpcUrl)).toBe(LOCAL_CHAIN_ID);
      expect((await provider.getBlock(block?.number ?? 0))?.hash).toBe(block?.hash);
      expect((await provider.getTransactionReceipt(transfer?.hash ?? ''))?.status).toBe(1);
      expect(await token.balanceOf(localAccount(7).address)).toBe(123n);
      // Permit2 and the x402 proxy (hardhat_setCode, no transaction) were placed again after the same block
      expect(await provider.getCode(PERMIT2_ADDRESS)).not.toBe('0x');
      expect(await provider.getCode(X402_EXACT_PERMIT2_PROXY_ADDRESS)).not.toBe('0x');
      expect(lines.join('\n')).toMatch(/the Hardhat node exited \(SIGKILL\); starting it again/);

      // The restarted node mines on, and is journaled as before.
      const after = await (await token.transfer(localAccount(8).address, 5n)).wait();
      await until(
        'journaled head after the restart',
        () => (readJournalHead(local?.journalFile ?? '')?.number ?? -1) >= (after?.blockNumber ?? 0) || undefined,
      );
    } finally {
      provider.destroy();
    }
  });

  it('is left dead without supervision (npm run chain stops with it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-node-'));
    const rpcUrl = `http://127.0.0.1:${await freePort()}`;
    local = await startLocalNodeUnlessRunning({ rpcUrl, deploymentFile: join(dir, 'chain', 'deployment.json') });
    if (!local) throw new Error('a node answered already');
    const exited = new Promise((resolve) => local?.node.process.once('exit', resolve));
    local.node.process.kill('SIGKILL');
    await exited;
    await sleep(1_500);
    expect(await rpcChainId(rpcUrl)).toBeUndefined();
    expect(local.restarts).toBe(0);
  });
});

describe('RestartPolicy', () => {
  it('waits 0.5, 1, 2, 4 and 8 s and gives up after more than five deaths within a minute', () => {
    let now = 0;
    const policy = new RestartPolicy(() => now);
    const delays = [1, 2, 3, 4, 5, 6].map(() => policy.died());
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, undefined]);
    now = 61_000;
    expect(policy.died()).toBe(500);
  });
});
