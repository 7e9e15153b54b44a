import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEnv } from 'node:util';
import { findWorkspaceRoot, launchStack, stackChildEnv } from '@nexus/service-kit/testing';
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
  /** the env file as `npm start` left it (keys, every service token) */
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
export const childEnv = (settings: StackSettings): Record<string, string> => stackChildEnv(stackEnv(settings));

const stackEnv = (settings: StackSettings) => ({ NEXUS_ENV_FILE: settings.envFile, NEXUS_DATA_DIR: settings.dataDir, ...settings.env });

/** Runs `npm start` as a user does (the bundles the e2e target built) and waits until the stack is up. */
export async function startStack(settings: StackSettings): Promise<RunningStack> {
  const launcher = await launchStack({
    env: stackEnv(settings),
    logFile: join(settings.dataDir, '..', 'launcher.log'),
  });
  const runFile = () => StackRunFile.parse(JSON.parse(readFileSync(join(settings.dataDir, 'run', 'stack.json'), 'utf8')));
  return {
    settings,
    gatewayUrl: `http://127.0.0.1:${settings.env['GATEWAY_PORT'] ?? '8000'}`,
    fileEnv: parseEnv(readFileSync(settings.envFile, 'utf8')) as Record<string, string>,
    output: launcher.output,
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
    stop: launcher.stop,
  };
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
