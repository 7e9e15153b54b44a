/**
 * Starting the local Hardhat node so that its state outlives it: the node
 * keeps everything in memory, so the blocks it mines are journaled next to
 * the deployment file (data/chain/blocks.jsonl) and replayed into the next
 * node started over the same data directory. Same contracts, balances and
 * transaction hashes as before the restart, so the payments ledger under
 * data/ still matches the chain.
 */
import {
  journalPathFor,
  readJournal,
  replayJournal,
  rpcChainId,
  startChainRecorder,
  startHardhatNode,
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
}

export interface LocalNode {
  url: string;
  node: HardhatNode;
  /** blocks mined again from the journal (0 on a first start) */
  replayed: number;
  journalFile: string;
  /** journals the last blocks, then stops the node */
  stop(): Promise<void>;
}

const THIS_MACHINE = new Set(['127.0.0.1', 'localhost']);

/**
 * Starts a Hardhat node on the port of `rpcUrl` when nothing answers there,
 * replays the journal into it and keeps journaling; undefined when a node
 * already answers (it is someone else's, left alone and not journaled).
 * Only on this machine: a node elsewhere is someone else's to start.
 */
export async function startLocalNodeUnlessRunning({
  rpcUrl,
  listenHost,
  deploymentFile,
  log = () => undefined,
}: LocalNodeOptions): Promise<LocalNode | undefined> {
  if ((await rpcChainId(rpcUrl)) !== undefined) return undefined;
  const url = new URL(rpcUrl);
  if (url.protocol !== 'http:') throw new Error(`nothing answers at ${rpcUrl}; a local node is served over http://`);
  if (!listenHost && !THIS_MACHINE.has(url.hostname)) {
    throw new Error(`nothing answers at ${rpcUrl}, and a local node is started on 127.0.0.1 or localhost only (or set CHAIN_LISTEN_HOST)`);
  }
  const journalFile = journalPathFor(deploymentFile);
  const blocks = readJournal(journalFile);
  const genesis = blocks[0];
  // Hardhat prints its development accounts with their keys: its output is not passed on, nor quoted in an error.
  let node: HardhatNode;
  try {
    node = await startHardhatNode({
      host: listenHost ?? url.hostname,
      port: Number(url.port || 80),
      ownProcessGroup: true,
      ...(genesis ? { genesisTimestamp: genesis.timestamp } : {}),
    });
  } catch (error) {
    throw new Error(withoutKeys(error instanceof Error ? error.message : String(error)));
  }
  try {
    const replayed = blocks.length > 0 ? await replayJournal({ rpcUrl, blocks }) : 0;
    if (replayed > 0) log(`replayed ${replayed} recorded blocks from ${journalFile}`);
    const recorder = await startChainRecorder({
      rpcUrl,
      path: journalFile,
      onError: (error) =>
        log(`could not journal the chain's latest blocks (retrying): ${error instanceof Error ? error.message : String(error)}`),
    });
    const stop = async () => {
      try {
        await recorder.stop();
      } catch (error) {
        log(`could not journal the chain's last blocks: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await node.stop();
      }
    };
    return { url: rpcUrl, node, replayed, journalFile, stop };
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
