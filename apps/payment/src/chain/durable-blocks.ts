import { setTimeout as sleep } from 'node:timers/promises';
import { askForBlock, isJournaled, readJournalHead } from '@nexus/chain';
import type { JsonRpcProvider } from 'ethers';
import type { SettleResult } from '../settler';
import { isChainUnavailable } from './chain-unavailable';

export interface DurableBlocksOptions {
  /** the journal `npm start` keeps of the local node it started (CHAIN_JOURNAL_FILE) */
  journalFile: string;
  provider: JsonRpcProvider;
  /** how long a settled payment may wait for its block to be journaled */
  timeoutMs: number;
  /** how often the journal's durable head is read while waiting */
  pollMs?: number;
  /** how long the head may stand still before the node is asked whether it is still there */
  stallMs?: number;
}

/**
 * On the local Hardhat node, which keeps its chain in memory, a payment is
 * settled only once the launcher's journal holds its block (fsynced): a node
 * killed right after the answer is replayed with it. Until then the payment
 * stays PENDING (`unavailable`, may have been sent), and so it does when its
 * block was lost with a node that died before journaling it.
 */
export class DurableBlocks {
  constructor(private readonly options: DurableBlocksOptions) {}

  async settled(result: SettleResult): Promise<SettleResult> {
    if (result.kind !== 'settled' || result.blockNumber === null || result.txHash === null) return result;
    const { blockNumber, txHash } = result;
    const notYet = (why: string): SettleResult => ({
      kind: 'unavailable',
      message: `transaction ${txHash} was mined in block ${blockNumber}, but ${why}`,
      mayHaveBeenSent: true,
    });
    const reached = await this.waitForHead(blockNumber);
    if (reached !== true) return notYet(reached);
    // The node may have died before journaling the block, and its replay mined another block there since.
    if (!isJournaled(this.options.journalFile, blockNumber, txHash)) return notYet(`the journal's block ${blockNumber} does not hold it`);
    return result;
  }

  /** true once the journal's durable head reaches `blockNumber`, else why not. */
  private async waitForHead(blockNumber: number): Promise<true | string> {
    const { journalFile, timeoutMs, pollMs = 5, stallMs = 500 } = this.options;
    const started = Date.now();
    let askedAt = 0;
    let checkedAt = started;
    for (;;) {
      if ((readJournalHead(journalFile)?.number ?? -1) >= blockNumber) return true;
      const now = Date.now();
      if (now - started >= timeoutMs) return `its block was not journaled within ${timeoutMs} ms`;
      if (now - askedAt >= 100) {
        askForBlock(journalFile, blockNumber);
        askedAt = now;
      }
      if (now - checkedAt >= stallMs) {
        checkedAt = now;
        try {
          await this.options.provider.getBlockNumber();
        } catch (error) {
          if (isChainUnavailable(error)) return 'the node stopped answering before it was journaled';
          throw error;
        }
      }
      await sleep(pollMs);
    }
  }
}
