import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { findWorkspaceRoot } from './service-process';

/** What `npm start` prints once every service is healthy. */
export const STACK_UP_LINE = 'MNEE Nexus is up.';

/** The environment of a child the tests or tools start: the machine's basics and `env`, nothing else of this process. */
export function stackChildEnv(env: Record<string, string>): Record<string, string> {
  const basics = ['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((name) => (process.env[name] ? [[name, process.env[name]] as const] : []));
  return { ...Object.fromEntries(basics), NX_DAEMON: 'false', ...env };
}

export interface StackLauncherOptions {
  /** the stack's settings: NEXUS_ENV_FILE, NEXUS_DATA_DIR, ports, modes, limits */
  env: Record<string, string>;
  /** where the launcher's output is appended */
  logFile: string;
  timeoutMs?: number;
}

export interface StackLauncher {
  /** the `npm start` process */
  pid: number | undefined;
  /** every line it printed so far */
  output: string[];
  /** Ctrl-C (SIGINT to its process group, as a terminal sends it); resolves with its exit code */
  stop(): Promise<number | null>;
}

/**
 * Runs `npm start` as a user does (`tools/stack/start.ts --skip-build`: the
 * bundles must be built) in a process group of its own, and resolves once it
 * says the stack is up; throws with its last lines when it exits or is not
 * up within `timeoutMs`. For the end-to-end tests and the benchmarks.
 */
export async function launchStack({ env, logFile, timeoutMs = 150_000 }: StackLauncherOptions): Promise<StackLauncher> {
  const root = findWorkspaceRoot();
  const launcher = spawn(process.execPath, ['--import', 'tsx', join(root, 'tools/stack/start.ts'), '--skip-build'], {
    cwd: root,
    env: stackChildEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const log = createWriteStream(logFile, { flags: 'a' });
  for (const stream of [launcher.stdout, launcher.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      log.write(`${line}\n`);
    });
  }
  const exited = once(launcher, 'exit').then(([code]) => code as number | null);
  launcher.once('exit', () => log.end());
  const stop = async (): Promise<number | null> => {
    if (launcher.exitCode !== null || launcher.signalCode !== null || launcher.pid === undefined) return launcher.exitCode;
    const group = -launcher.pid;
    process.kill(group, 'SIGINT');
    const timer = setTimeout(() => process.kill(group, 'SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(STACK_UP_LINE)) {
    if (launcher.exitCode !== null) throw new Error(`npm start exited with ${launcher.exitCode}:\n${output.slice(-40).join('\n')}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start was not up within ${timeoutMs / 1000}s:\n${output.slice(-40).join('\n')}`);
    }
    await sleep(200);
  }
  return { pid: launcher.pid, output, stop };
}
