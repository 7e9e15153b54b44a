import { toQuantity } from 'ethers';
import { connectRpc } from '../connect';
import { LOCAL_CHAIN_ID } from '../local-accounts';
import { placePermit2 } from '../permit2';
import type { JournalBlock } from './journal-file';

export interface ReplayOptions {
  /** a fresh node (nothing mined but its genesis block), started with the journal's genesis date */
  rpcUrl: string;
  blocks: readonly JournalBlock[];
  /** the block after which Permit2 and the x402 proxy were placed (permit2-placement.ts): placed again there */
  permit2AfterBlock?: number;
}

/**
 * Mines the journal's blocks again on a fresh Hardhat node: each block with
 * its own timestamp and base fee and its signed transactions in order, so
 * the node ends with the same state and the same transaction hashes (checked
 * block by block). Then the node's clock is moved to now, and it mines on its
 * own again. Returns the number of blocks replayed.
 */
export async function replayJournal({ rpcUrl, blocks, permit2AfterBlock }: ReplayOptions): Promise<number> {
  const provider = connectRpc(rpcUrl, LOCAL_CHAIN_ID);
  try {
    const height = await provider.getBlockNumber();
    if (height !== 0) throw new Error(`the node at ${rpcUrl} has mined ${height} blocks already; a journal replays into a fresh node only`);
    const replayed = blocks.filter((block) => block.number > 0);
    await provider.send('evm_setAutomine', [false]);
    try {
      for (const block of replayed) {
        if (permit2AfterBlock !== undefined && block.number === permit2AfterBlock + 1) await placePermit2(provider);
        await mineAgain(provider.send.bind(provider), block);
      }
    } finally {
      await provider.send('evm_setAutomine', [true]);
    }
    const last = blocks.at(-1);
    if (permit2AfterBlock !== undefined && last && permit2AfterBlock >= last.number) await placePermit2(provider);
    const now = Math.floor(Date.now() / 1000);
    // The next block is stamped now, and the node's clock runs on from there.
    if (last && now > last.timestamp) await provider.send('evm_setNextBlockTimestamp', [toQuantity(now)]);
    return replayed.length;
  } finally {
    provider.destroy();
  }
}

type Send = (method: string, params: unknown[]) => Promise<unknown>;

async function mineAgain(send: Send, block: JournalBlock): Promise<void> {
  if (block.baseFeePerGas !== undefined) await send('hardhat_setNextBlockBaseFeePerGas', [toQuantity(BigInt(block.baseFeePerGas))]);
  for (const [index, raw] of block.transactions.entries()) {
    const hash = await send('eth_sendRawTransaction', [raw]);
    if (hash !== block.hashes[index]) throw new Error(`block ${block.number}: transaction ${index} replayed as ${String(hash)}`);
  }
  await send('evm_mine', [toQuantity(block.timestamp)]);
  const mined = (await send('eth_getBlockByNumber', [toQuantity(block.number), false])) as { transactions?: unknown } | null;
  const hashes = Array.isArray(mined?.transactions) ? mined.transactions : [];
  if (hashes.length !== block.hashes.length || hashes.some((hash, index) => hash !== block.hashes[index])) {
    throw new Error(`block ${block.number} did not replay with the same transactions`);
  }
}
