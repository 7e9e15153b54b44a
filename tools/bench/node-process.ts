import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { workspaceRoot } from '../stack/build';
import { waitHealthy } from '../stack/wait-healthy';

/** A Node.js process the bench started (a service or the limit's server). */
export interface NodeProcess {
  pid: number;
  child: ChildProcess;
  /** SIGTERM (a service writes its CPU profile on the way out), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** node's own flags (e.g. --cpu-prof) and the script with its arguments */
  args: string[];
  env: Record<string, string>;
  /** polled until it answers 2xx */
  healthUrl: string;
}

/** Starts `node <args>` from the workspace root, its output discarded but for errors, and waits until it is healthy. */
export async function startNode({ args, env, healthUrl }: StartOptions): Promise<NodeProcess> {
  const child = spawn(process.execPath, args, {
    cwd: workspaceRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(child, 'exit');
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(kill);
  };
  try {
    await waitHealthy(healthUrl, 60_000, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error(`${args.join(' ')} has no process id`);
  return { pid: child.pid, child, stop };
}
