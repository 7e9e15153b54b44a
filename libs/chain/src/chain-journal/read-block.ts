import { Transaction, type JsonRpcProvider } from 'ethers';
import type { JournalBlock } from './journal-file';

/**
 * Block `number` of the node as a journal entry. Each transaction is
 * re-serialized from its fields and signature; ethers checks the result
 * hashes to the node's transaction hash, so a bad copy cannot be recorded.
 */
export async function readJournalBlock(provider: JsonRpcProvider, number: number): Promise<JournalBlock> {
  const block = await provider.getBlock(number, true);
  if (!block?.hash) throw new Error(`the node has no block ${number}`);
  const transactions = block.prefetchedTransactions.map((response) => Transaction.from(response).serialized);
  return {
    number,
    hash: block.hash,
    timestamp: block.timestamp,
    ...(block.baseFeePerGas === null ? {} : { baseFeePerGas: block.baseFeePerGas.toString() }),
    transactions,
    hashes: block.prefetchedTransactions.map((response) => response.hash),
  };
}
