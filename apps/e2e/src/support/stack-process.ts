import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEnv } from 'node:util';
import { findWorkspaceRoot } from '@nexus/service-kit';
import { StackRunFile } from '@nexus/types';

export interface StackSettings {
  /** the env file `npm start` writes with fresh keys when missing (NEXUS_ENV_FILE) */
  envFile: string;
  /** NEXUS_DATA_DIR: stores, chain journal, logs, run file */
  dataDir: string;
  /** every variable of the stack the test sets: ports, CHAIN_RPC_URL, database URLs, limits */
  env: Record<string, string>;
}

export interface RunningStack {
  settings: StackSettings;
  gatewayUrl: string;
  /** the env file as `npm start` left it (keys, INTERNAL_TOKEN) */
  fileEnv: Record<string, string>;
  /** what the launcher printed so far */
  output: string[];
  runFile(): StackRunFile;
  /** kill -9 one service; the launcher is expected to start it again */
  kill(project: string): number;
  /** waits until the launcher runs `project` under another process id than `killed`, answering its /health */
  restarted(project: string, killed: number): Promise<void>;
  /** Ctrl-C (SIGINT to the launcher's process group); resolves when the launcher has exited, with its exit code */
  stop(): Promise<number | null>;
}

export const root = findWorkspaceRoot();

/** The environment of a child tool or launcher: the machine's basics and the stack's settings, nothing of this test process. */
export function childEnv(settings: StackSettings): Record<string, string> {
  const basics = ['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((name) => (process.env[name] ? [[name, process.env[name]] as const] : []));
  return {
    ...Object.fromEntries(basics),
    NX_DAEMON: 'false',
    NEXUS_ENV_FILE: settings.envFile,
    NEXUS_DATA_DIR: settings.dataDir,
    ...settings.env,
  };
}

/**
 * Runs `npm start` as a user does (`tools/stack/start.ts`, with the bundles the
 * e2e target built, so `--skip-build`) and waits until it says the stack is
 * up and the gateway answers.
 */
export async function startStack(settings: StackSettings, timeoutMs = 150_000): Promise<RunningStack> {
  const launcher = spawn(process.execPath, ['--import', 'tsx', join(root, 'tools/stack/start.ts'), '--skip-build'], {
    cwd: root,
    env: childEnv(settings),
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, like a shell's foreground job: stop() sends SIGINT to the whole group, as Ctrl-C does.
    detached: true,
  });
  const output: string[] = [];
  const log = createWriteStream(join(settings.dataDir, '..', 'launcher.log'), { flags: 'a' });
  for (const stream of [launcher.stdout, launcher.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      log.write(`${line}\n`);
    });
  }
  const exited = once(launcher, 'exit').then(([code]) => code as number | null);
  launcher.once('exit', () => log.end());
  const gatewayUrl = `http://127.0.0.1:${settings.env['GATEWAY_PORT'] ?? '8000'}`;
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('MNEE Nexus is up.')) {
    if (launcher.exitCode !== null) throw new Error(`npm start exited with ${launcher.exitCode}:\n${output.slice(-40).join('\n')}`);
    if (Date.now() > deadline) {
      await stopLauncher(launcher, exited);
      throw new Error(`npm start was not up within ${timeoutMs / 1000}s:\n${output.slice(-40).join('\n')}`);
    }
    await sleep(200);
  }
  const runFilePath = join(settings.dataDir, 'run', 'stack.json');
  const runFile = () => StackRunFile.parse(JSON.parse(readFileSync(runFilePath, 'utf8')));
  return {
    settings,
    gatewayUrl,
    fileEnv: parseEnv(readFileSync(settings.envFile, 'utf8')) as Record<string, string>,
    output,
    runFile,
    kill(project) {
      const pid = runFile().services.find((service) => service.project === project)?.pid;
      if (!pid) throw new Error(`${project} is not running`);
      process.kill(pid, 'SIGKILL');
      return pid;
    },
    async restarted(project, killed) {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const entry = runFile().services.find((service) => service.project === project);
        if (entry?.pid && entry.pid !== killed && (await answersHealth(entry.port))) return;
        await sleep(100);
      }
      throw new Error(`${project} was not started again within 30s`);
    },
    stop: () => stopLauncher(launcher, exited),
  };
}

async function stopLauncher(launcher: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (launcher.exitCode !== null || launcher.pid === undefined) return launcher.exitCode;
  process.kill(-launcher.pid, 'SIGINT');
  const timer = setTimeout(() => launcher.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function answersHealth(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
  } catch {
    return false;
  }
}

/** True while a process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const runFileExists = (dataDir: string) => existsSync(join(dataDir, 'run', 'stack.json'));
