import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The local chain's Hardhat config (chainId 31337, development accounts). */
export const HARDHAT_CONFIG = resolve(__dirname, '../../../contracts-abi/hardhat.config.cjs');

export interface HardhatNode {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL if it has not exited after 5 s. */
  stop(): Promise<void>;
}

export interface HardhatNodeOptions {
  host?: string;
  port: number;
  configPath?: string;
  /** receives the node's output lines (it prints the development accounts on start) */
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
  /** the genesis block's time (to replay a recorded chain); now when absent */
  genesisTimestamp?: number;
  /**
   * a chain journal (validated) the node replays before it listens, so no
   * client sees a half-replayed chain (give its genesis date as genesisTimestamp)
   */
  replayJournalFile?: string;
  /**
   * In a process group of its own, so a Ctrl-C in the terminal (a SIGINT to
   * the whole foreground group) reaches only the launcher, which stops the
   * node last, after journaling its final blocks.
   */
  ownProcessGroup?: boolean;
}

/** Asks a JSON-RPC endpoint for its chain id; undefined when nothing answers. */
export async function rpcChainId(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { result?: string };
    return body.result ? Number(BigInt(body.result)) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `hardhat node` (Hardhat 2.x) as a child process and waits until it answers JSON-RPC. */
export async function startHardhatNode(options: HardhatNodeOptions): Promise<HardhatNode> {
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${options.port}`;
  if ((await rpcChainId(url)) !== undefined) throw new Error(`something already answers JSON-RPC at ${url}`);
  const cli = require.resolve('hardhat/internal/cli/cli.js');
  const child = spawn(
    process.execPath,
    [cli, 'node', '--config', options.configPath ?? HARDHAT_CONFIG, '--hostname', host, '--port', String(options.port)],
    {
      env: {
        ...process.env,
        HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
        FORCE_COLOR: '0',
        NEXUS_CHAIN_GENESIS_DATE: options.genesisTimestamp === undefined ? '' : new Date(options.genesisTimestamp * 1000).toISOString(),
        NEXUS_CHAIN_REPLAY_FILE: options.replayJournalFile ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.ownProcessGroup ?? false,
    },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 50) output.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit');

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}:\n${output.join('\n')}`);
    if ((await rpcChainId(url)) !== undefined) return { url, port: options.port, process: child, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`hardhat node did not answer at ${url} in time:\n${output.join('\n')}`);
}
