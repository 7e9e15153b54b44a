/**
 * Starting the local Hardhat node so that its state outlives it: the node
 * keeps everything in memory, so the blocks it mines are journaled next to
 * the deployment file (data/chain/blocks.jsonl) and replayed into the next
 * node started over the same data directory. Same contracts, balances and
 * transaction hashes as before the restart, so the payments ledger under
 * data/ still matches the chain. Under npm start the node is supervised
 * like the services: one that dies is started again over its journal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  journalPathFor,
  readJournal,
  rpcChainId,
  startChainRecorder,
  startHardhatNode,
  type ChainRecorder,
  type HardhatNode,
} from '@nexus/chain';

export interface LocalNodeOptions {
  /** where clients reach the node (CHAIN_RPC_URL) */
  rpcUrl: string;
  /** interface the node binds (CHAIN_LISTEN_HOST); the host of `rpcUrl` when absent */
  listenHost?: string | undefined;
  /** the deployment file (CHAIN_DEPLOYMENT_FILE); the journal lives beside it */
  deploymentFile: string;
  log?: (line: string) => void;
  /** start the node again when it dies on its own (npm start); without it, a dead node stays dead */
  supervise?: NodeSupervision;
}

/** How a node that died is started again: the launcher's restart policy for its services. */
export interface NodeSupervision {
  /** the node died: milliseconds to wait before starting it again, or undefined when it died too often */
  restartDelay(): number | undefined;
  /** it died too often (or could not be started again): stop everything */
  onGiveUp(): void;
  /** it runs again (a new process id), its journal replayed */
  onRestarted?(node: LocalNode): void;
}

export interface LocalNode {
  url: string;
  /** the running node (another one after a restart) */
  readonly node: HardhatNode;
  /** blocks mined again from the journal when it last started (0 on a first start) */
  readonly replayed: number;
  /** times it was started again after dying */
  readonly restarts: number;
  journalFile: string;
  /** journals the last blocks, then stops the node */
  stop(): Promise<void>;
}

const THIS_MACHINE = new Set(['127.0.0.1', 'localhost']);

interface Running {
  node: HardhatNode;
  recorder: ChainRecorder;
  replayed: number;
}

/**
 * Starts a Hardhat node on the port of `rpcUrl` when nothing answers there,
 * replays the journal into it and keeps journaling; undefined when a node
 * already answers (it is someone else's, left alone and not journaled).
 * Only on this machine: a node elsewhere is someone else's to start. With
 * `supervise`, a node that dies (a crash, kill -9) is started again over the
 * same journal: the chain comes back with every journaled block.
 */
export async function startLocalNodeUnlessRunning(options: LocalNodeOptions): Promise<LocalNode | undefined> {
  const { rpcUrl, listenHost, log = () => undefined, supervise } = options;
  if ((await rpcChainId(rpcUrl)) !== undefined) return undefined;
  const url = new URL(rpcUrl);
  if (url.protocol !== 'http:') throw new Error(`nothing answers at ${rpcUrl}; a local node is served over http://`);
  if (!listenHost && !THIS_MACHINE.has(url.hostname)) {
    throw new Error(`nothing answers at ${rpcUrl}, and a local node is started on 127.0.0.1 or localhost only (or set CHAIN_LISTEN_HOST)`);
  }
  const journalFile = journalPathFor(options.deploymentFile);
  const startOne = () => startJournaledNode({ rpcUrl, host: listenHost ?? url.hostname, port: Number(url.port || 80), journalFile, log });

  let current = await startOne();
  let restarts = 0;
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();

  const restart = async (code: number | null, signal: NodeJS.Signals | null) => {
    // Its last blocks died with it: the journal holds what was durable.
    await current.recorder.stop().catch(() => undefined);
    for (;;) {
      const delay = supervise?.restartDelay();
      if (delay === undefined) {
        log(`the Hardhat node exited (${signal ?? `code ${code}`}) too often; giving up`);
        supervise?.onGiveUp();
        return;
      }
      log(`the Hardhat node exited (${signal ?? `code ${code}`}); starting it again in ${delay / 1000}s from ${journalFile}`);
      await sleep(delay);
      if (stopping) return;
      try {
        const started = await startOne();
        if (stopping) {
          await started.recorder.stop().catch(() => undefined);
          await started.node.stop();
          return;
        }
        current = started;
        restarts += 1;
        log(`started the Hardhat node again at ${rpcUrl} (replayed ${current.replayed} blocks)`);
        watch(current);
        supervise?.onRestarted?.(local);
        return;
      } catch (error) {
        log(`could not start the Hardhat node again: ${withoutKeys(error instanceof Error ? error.message : String(error))}`);
      }
    }
  };
  const watch = (running: Running) => {
    running.node.process.once('exit', (code, signal) => {
      if (stopping || !supervise || running !== current) return;
      restarting = restart(code, signal);
    });
  };
  watch(current);

  const local: LocalNode = {
    url: rpcUrl,
    get node() {
      return current.node;
    },
    get replayed() {
      return current.replayed;
    },
    get restarts() {
      return restarts;
    },
    journalFile,
    async stop() {
      stopping = true;
      await restarting;
      try {
        await current.recorder.stop();
      } catch (error) {
        log(`could not journal the chain's last blocks: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await current.node.stop();
      }
    },
  };
  return local;
}

/** A fresh Hardhat node with the journal replayed into it and a recorder journaling what it mines from now on. */
async function startJournaledNode({
  rpcUrl,
  host,
  port,
  journalFile,
  log,
}: {
  rpcUrl: string;
  host: string;
  port: number;
  journalFile: string;
  log: (line: string) => void;
}): Promise<Running> {
  const blocks = readJournal(journalFile);
  const genesis = blocks[0];
  const replayed = Math.max(blocks.length - 1, 0);
  // Hardhat prints its development accounts with their keys: its output is not passed on, nor quoted in an error.
  let node: HardhatNode;
  try {
    // The node replays the journal before it listens: no service sees (or sends into) a half-replayed chain.
    node = await startHardhatNode({
      host,
      port,
      ownProcessGroup: true,
      startTimeoutMs: 30_000 + replayed * 50,
      ...(genesis ? { genesisTimestamp: genesis.timestamp } : {}),
      ...(replayed > 0 ? { replayJournalFile: journalFile } : {}),
    });
  } catch (error) {
    const reason = withoutKeys(error instanceof Error ? error.message : String(error));
    // A node that exited while starting over a journal: its replay failed (the reason is in its output).
    if (replayed === 0 || !reason.startsWith('hardhat node exited')) throw new Error(reason);
    throw new Error(
      `${journalFile} could not be replayed (${reason}). Move it away to start a fresh chain; ` +
        'the payments recorded under the data directory will then no longer match the chain.',
    );
  }
  try {
    if (replayed > 0) log(`replayed ${replayed} recorded blocks from ${journalFile}`);
    const recorder = await startChainRecorder({
      rpcUrl,
      path: journalFile,
      onError: (error) =>
        log(`could not journal the chain's latest blocks (retrying): ${error instanceof Error ? error.message : String(error)}`),
    });
    return { node, recorder, replayed };
  } catch (error) {
    await node.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${journalFile} could not be replayed (${reason}). Move it away to start a fresh chain; ` +
        'the payments recorded under the data directory will then no longer match the chain.',
      { cause: error },
    );
  }
}

/** `text` with every 32-byte hex string (a private key, or a hash) blanked out. */
export function withoutKeys(text: string): string {
  return text.replace(/0x[0-9a-fA-F]{64}\b/g, '0x…');
}
