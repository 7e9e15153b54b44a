import { connectRpc } from '../connect';
import { LOCAL_CHAIN_ID } from '../local-accounts';
import { appendJournal, journalEndsCleanly, readJournal, rewriteJournal, type JournalBlock } from './journal-file';
import { watchWantedBlocks, writeJournalHead } from './journal-head';
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
 * contracts, balances and transaction hashes. Polls for new blocks, and at
 * once when someone asks for one (askForBlock), appends each one as soon as
 * it sees it (flushed to disk), then publishes the durable head
 * (blocks.head.json). The journal must describe this node: its blocks are
 * checked against the node's by hash.
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
  if (last) writeJournalHead(path, { number: last.number, hash: last.hash });
  let recorded = blocks.length;
  let running: Promise<void> = Promise.resolve();
  /** a pull queued behind the running one: later requests join it */
  let queued: Promise<void> | undefined;
  let stopped = false;

  const pull = async () => {
    const latest = await provider.getBlockNumber();
    const fresh: JournalBlock[] = [];
    for (let number = recorded; number <= latest; number++) fresh.push(await readJournalBlock(provider, number));
    appendJournal(path, fresh);
    recorded += fresh.length;
    const head = fresh.at(-1);
    if (head) writeJournalHead(path, { number: head.number, hash: head.hash });
  };
  /** One pull at a time, in order; a request while one runs is served by the next one. */
  const catchUp = () => {
    if (queued) return queued;
    const next = running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return pull();
      });
    queued = next;
    running = next;
    return next;
  };
  const poll = () => {
    if (stopped) return;
    catchUp().catch((error: unknown) => onError?.(error));
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  const unwatch = watchWantedBlocks(path, poll);

  return {
    get recorded() {
      return recorded;
    },
    catchUp,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      unwatch();
      try {
        await running.catch(() => undefined);
        await pull();
      } finally {
        provider.destroy();
      }
    },
  };
}
