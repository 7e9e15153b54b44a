import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonRpcProvider } from 'ethers';
import { connectRpc } from '../connect';
import { MNEEToken__factory } from '../generated';
import { startHardhatNode, type HardhatNode } from '../hardhat-node';
import { LOCAL_CHAIN_ID, localAccount } from '../local-accounts';
import { deployLocalChain } from '../local-deployment';
import { PERMIT2_ADDRESS } from '../permit2';
import { freePort } from '../testing/free-port';
import { startChainRecorder } from './chain-recorder';
import { readJournal, type JournalBlock } from './journal-file';
import { askForBlock, isJournaled, readJournalHead } from './journal-head';
import { replayJournal } from './replay-journal';

jest.setTimeout(60_000);

const journal = () => join(mkdtempSync(join(tmpdir(), 'nexus-journal-')), 'blocks.jsonl');

interface Running {
  node: HardhatNode;
  provider: JsonRpcProvider;
}
const open: Running[] = [];
async function node(port?: number, genesisTimestamp?: number): Promise<Running> {
  const started = await startHardhatNode({ port: port ?? (await freePort()), ...(genesisTimestamp ? { genesisTimestamp } : {}) });
  const running = { node: started, provider: connectRpc(started.url, LOCAL_CHAIN_ID) };
  open.push(running);
  return running;
}
async function close({ node: started, provider }: Running): Promise<void> {
  provider.destroy();
  await started.stop();
}
afterEach(async () => {
  await Promise.all(open.splice(0).map(close));
});

/** A chain with the contracts deployed and one transfer, recorded to `path`; returns what a reader of it would see. */
async function recordedChain(path: string) {
  const first = await node();
  const recorder = await startChainRecorder({ rpcUrl: first.node.url, path, intervalMs: 50 });
  let permit2AfterBlock: number | undefined;
  const deployment = await deployLocalChain(first.provider, first.node.url, '1000', (afterBlock) => (permit2AfterBlock = afterBlock));
  const token = MNEEToken__factory.connect(deployment.token.address, localAccount(0).connect(first.provider));
  const transfer = await (await token.transfer(localAccount(7).address, 123n)).wait();
  await recorder.stop();
  const latest = await first.provider.getBlock('latest');
  const balance = await token.balanceOf(localAccount(7).address);
  return { first, deployment, transferHash: transfer?.hash, latest, balance, permit2AfterBlock };
}

describe('the chain journal', () => {
  it('records every block, and a fresh node replaying it has the same blocks, balances and transactions', async () => {
    const path = journal();
    const { first, deployment, transferHash, latest, balance, permit2AfterBlock } = await recordedChain(path);
    const blocks = readJournal(path);
    expect(blocks.map((block) => block.number)).toEqual([...Array((latest?.number ?? 0) + 1).keys()]);
    await close(first);

    const second = await node(first.node.port, blocks[0]?.timestamp);
    // Permit2 and the x402 proxy (hardhat_setCode, no transaction) are placed again after the same block
    expect(permit2AfterBlock).toBeGreaterThan(0);
    expect(await replayJournal({ rpcUrl: second.node.url, blocks, permit2AfterBlock })).toBe(latest?.number);
    expect((await second.provider.getBlock('latest'))?.hash).toBe(latest?.hash);
    expect(await second.provider.getCode(PERMIT2_ADDRESS)).not.toBe('0x');
    const token = MNEEToken__factory.connect(deployment.token.address, second.provider);
    expect(await token.balanceOf(localAccount(7).address)).toBe(balance);
    expect((await second.provider.getTransactionReceipt(transferHash ?? ''))?.status).toBe(1);
  });

  it('goes on journaling the replayed node, and mines new blocks at the current time', async () => {
    const path = journal();
    const { first, deployment, permit2AfterBlock } = await recordedChain(path);
    await close(first);
    const blocks = readJournal(path);
    const second = await node(undefined, blocks[0]?.timestamp);
    await replayJournal({ rpcUrl: second.node.url, blocks, permit2AfterBlock });
    const recorder = await startChainRecorder({ rpcUrl: second.node.url, path, intervalMs: 50 });
    const token = MNEEToken__factory.connect(deployment.token.address, localAccount(0).connect(second.provider));
    await (await token.transfer(localAccount(8).address, 5n)).wait();
    await recorder.stop();
    const after = readJournal(path);
    expect(after).toHaveLength(blocks.length + 1);
    expect(after.at(-1)?.timestamp).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 60);
  });

  it('drops a last line cut short by a crash and appends after the good ones', async () => {
    const path = journal();
    const { first } = await recordedChain(path);
    const count = readJournal(path).length;
    const text = readFileSync(path, 'utf8');
    const lastLine = text.trimEnd().split('\n').at(-1) ?? '';
    writeFileSync(path, text.slice(0, text.length - lastLine.length - 1)); // the last block's line is gone...
    appendFileSync(path, lastLine.slice(0, 40)); // ...but for a torn first half
    expect(readJournal(path)).toHaveLength(count - 1);
    const recorder = await startChainRecorder({ rpcUrl: first.node.url, path, intervalMs: 50 });
    await recorder.stop();
    expect(readJournal(path)).toHaveLength(count);
  });

  it('refuses a journal written by another chain', async () => {
    const path = journal();
    await recordedChain(path);
    const other = await node();
    await other.provider.send('evm_mine', []);
    await expect(startChainRecorder({ rpcUrl: other.node.url, path })).rejects.toThrow(/does not describe the node/);
  });

  it('replays into a fresh node only, and stops at a transaction that does not come out the same', async () => {
    const path = journal();
    const { first } = await recordedChain(path);
    const blocks = readJournal(path);
    await expect(replayJournal({ rpcUrl: first.node.url, blocks })).rejects.toThrow(/has mined \d+ blocks already/);

    const fresh = await node(undefined, blocks[0]?.timestamp);
    const tampered: JournalBlock[] = blocks.map((block) =>
      block.number === 2 ? { ...block, hashes: block.hashes.map(() => `0x${'ab'.repeat(32)}`) } : block,
    );
    await expect(replayJournal({ rpcUrl: fresh.node.url, blocks: tampered })).rejects.toThrow(/block 2: transaction 0 replayed as/);
  });

  it('publishes its fsynced head, and journals at once a block someone asks for instead of at its next poll', async () => {
    const path = journal();
    const { first, deployment } = await recordedChain(path);
    const recorded = readJournal(path).at(-1);
    expect(readJournalHead(path)).toEqual({ number: recorded?.number, hash: recorded?.hash });

    const recorder = await startChainRecorder({ rpcUrl: first.node.url, path, intervalMs: 60_000 });
    try {
      const token = MNEEToken__factory.connect(deployment.token.address, localAccount(0).connect(first.provider));
      const receipt = await (await token.transfer(localAccount(8).address, 5n)).wait();
      const number = receipt?.blockNumber ?? 0;
      expect(isJournaled(path, number, receipt?.hash ?? '')).toBe(false);

      askForBlock(path, number);
      const deadline = Date.now() + 5_000;
      while ((readJournalHead(path)?.number ?? -1) < number && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));

      expect(readJournalHead(path)?.number).toBe(number);
      expect(isJournaled(path, number, receipt?.hash ?? '')).toBe(true);
      expect(isJournaled(path, number - 1, receipt?.hash ?? '')).toBe(false);
    } finally {
      await recorder.stop();
    }
  });

  it('names a line that is not a journal block', () => {
    const path = journal();
    writeFileSync(path, '{"number":0}\n{}\n');
    expect(() => readJournal(path)).toThrow(/line 1 is not a journal block/);
  });
});
