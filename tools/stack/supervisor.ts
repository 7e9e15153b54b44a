/**
 * The services of `npm start` as child processes: each one's output goes to
 * the terminal with a `[service]` prefix; each gets only its own secrets and to data/logs/<service>.log; one
 * that dies on its own is started again (with a growing delay, and the stack
 * gives up when a service keeps dying); stopping takes them down in reverse
 * dependency order, the gateway first, so no call is left half-done.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StackRunFile } from '@nexus/types';
import { bundlePath, workspaceRoot } from './build';
import { processEnvironment } from './process-secrets';
import { DEATH_WINDOW_MS, MAX_DEATHS } from './restart-policy';
import { removeRunFile, writeRunFile } from './run-file';
import { portOf } from './stack-env';
import type { StackService } from './stack-services';

export interface SupervisorOptions {
  env: Record<string, string>;
  /** data/: logs go to <dataDir>/logs, the run file to <dataDir>/run */
  dataDir: string;
  out: (line: string) => void;
  /** a service died more often than it may be restarted */
  onGiveUp: (service: StackService) => void;
  /** processes supervised elsewhere (the chain node) to list in the run file too */
  alsoRunning?: () => StackRunFile['services'];
}

interface Supervised {
  service: StackService;
  child?: ChildProcess;
  restarts: number;
  recentDeaths: number[];
  log: WriteStream;
}

const STOP_GRACE_MS = 15_000;

export class Supervisor {
  private readonly running = new Map<string, Supervised>();
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {
    mkdirSync(join(options.dataDir, 'logs'), { recursive: true });
  }

  start(service: StackService): void {
    const log = createWriteStream(join(this.options.dataDir, 'logs', `${service.project}.log`), { flags: 'a' });
    const entry: Supervised = { service, restarts: 0, recentDeaths: [], log };
    this.running.set(service.project, entry);
    this.launch(entry);
  }

  private launch(entry: Supervised): void {
    const { service } = entry;
    const child = spawn(process.execPath, ['--enable-source-maps', bundlePath(service.project)], {
      cwd: workspaceRoot,
      // Only its own secrets (process-secrets.ts): its token, its callers' token hashes, its own keys.
      env: { ...processEnvironment(service.project, this.options.env), [service.portEnv]: String(portOf(service, this.options.env)) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches the launcher only, which stops the services in order.
      detached: true,
    });
    entry.child = child;
    const prefix = `[${service.project.padEnd(13)}]`;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.options.out(`${prefix} ${line}`);
        entry.log.write(`${line}\n`);
      });
    }
    child.once('exit', (code, signal) => this.exited(entry, child, code, signal));
    this.saveRunFile();
  }

  private exited(entry: Supervised, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (entry.child !== child) return;
    entry.child = undefined;
    if (this.stopping) return;
    this.saveRunFile();
    const prefix = `[${entry.service.project.padEnd(13)}]`;
    const now = Date.now();
    entry.recentDeaths = [...entry.recentDeaths.filter((at) => now - at < DEATH_WINDOW_MS), now];
    if (entry.recentDeaths.length > MAX_DEATHS) {
      this.options.out(`${prefix} exited (${signal ?? `code ${code}`}) ${entry.recentDeaths.length} times within a minute; giving up`);
      this.options.onGiveUp(entry.service);
      return;
    }
    const delay = 500 * 2 ** (entry.recentDeaths.length - 1);
    this.options.out(`${prefix} exited (${signal ?? `code ${code}`}); starting it again in ${delay / 1000}s`);
    setTimeout(() => {
      if (this.stopping) return;
      entry.restarts += 1;
      this.launch(entry);
    }, delay);
  }

  /** The running services' process ids and addresses, for tools and tests (data/run/stack.json). */
  saveRunFile(): void {
    if (this.stopping) return;
    writeRunFile(this.options.dataDir, {
      pid: process.pid,
      services: [
        ...(this.options.alsoRunning?.() ?? []),
        ...[...this.running.values()].map(({ service, child, restarts }) => ({
          project: service.project,
          pid: child?.pid ?? null,
          port: portOf(service, this.options.env),
          restarts,
        })),
      ],
    });
  }

  /** SIGTERM in waves (`order`, e.g. the gateway, then the providers, then the core), SIGKILL after a grace period. */
  async stop(order: readonly (readonly string[])[]): Promise<void> {
    this.stopping = true;
    const waves = [...order, [...this.running.keys()]];
    for (const wave of waves) {
      await Promise.all(wave.map((project) => this.stopOne(project)));
    }
    await Promise.all([...this.running.values()].map((entry) => new Promise<void>((done) => entry.log.end(done))));
    removeRunFile(this.options.dataDir);
  }

  private async stopOne(project: string): Promise<void> {
    const child = this.running.get(project)?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });
  }
}
