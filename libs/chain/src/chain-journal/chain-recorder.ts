import { connectRpc } from '../connect';
import { LOCAL_CHAIN_ID } from '../local-accounts';
import { appendJournal, journalEndsCleanly, readJournal, rewriteJournal, type JournalBlock } from './journal-file';
import { readJournalBlock } from './read-block';

export interface ChainRecorderOptions {
  /** the node this process started (its state lives in memory) */
  rpcUrl: string;
  /** the journal file (see journalPathFor) */
  path: string;
  /** how often the node is asked for new blocks */
  intervalMs?: number;
  /** a poll that failed (the recorder keeps trying) */
  onError?: (error: unknown) => void;
}

export interface ChainRecorder {
  /** blocks recorded so far (the genesis block included) */
  readonly recorded: number;
  /** records every block mined up to now */
  catchUp(): Promise<void>;
  /** records what is left, then stops polling; call it before the node stops */
  stop(): Promise<void>;
}

/**
 * Keeps a journal of a local Hardhat node's blocks so its state outlives the
 * node: a fresh node replays it (replayJournal) and holds the same accounts,
 * contracts, balances and transaction hashes. Polls for new blocks and
 * appends each one as soon as it sees it (flushed to disk). The journal must
 * describe this node: its blocks are checked against the node's by hash.
 */
export async function startChainRecorder({ rpcUrl, path, intervalMs = 250, onError }: ChainRecorderOptions): Promise<ChainRecorder> {
  const provider = connectRpc(rpcUrl, LOCAL_CHAIN_ID);
  const blocks = readJournal(path);
  if (!journalEndsCleanly(path)) rewriteJournal(path, blocks);
  const last = blocks.at(-1);
  if (last) {
    const onNode = await provider.getBlock(last.number);
    if (onNode?.hash !== last.hash) {
      provider.destroy();
      throw new Error(`${path} does not describe the node at ${rpcUrl} (its block ${last.number} differs); replay it into a fresh node`);
    }
  }
  let recorded = blocks.length;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const pull = async () => {
    const latest = await provider.getBlockNumber();
    const fresh: JournalBlock[] = [];
    for (let number = recorded; number <= latest; number++) fresh.push(await readJournalBlock(provider, number));
    appendJournal(path, fresh);
    recorded += fresh.length;
  };
  /** One pull at a time, in order. */
  const catchUp = () => {
    running = running.then(pull);
    return running;
  };
  const timer = setInterval(() => {
    catchUp().catch((error: unknown) => {
      running = Promise.resolve();
      onError?.(error);
    });
  }, intervalMs);
  timer.unref();

  return {
    get recorded() {
      return recorded;
    },
    catchUp,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      try {
        await running.catch(() => undefined);
        await pull();
      } finally {
        provider.destroy();
      }
    },
  };
}
