import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The monorepo root (the directory holding nx.json), found from this file. */
export function findWorkspaceRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The variable an app reads its port from: `<APP>_PORT` (image-gen → IMAGE_GEN_PORT). */
export function servicePortVariable(app: string): string {
  return `${app.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
}

export interface ServiceProcessOptions {
  /** the Nx app: runs apps/<app>/src/main.ts */
  app: string;
  port: number;
  /** the whole environment of the child (nothing is inherited but PATH and HOME) */
  env: Record<string, string>;
  /** how long /health may take to answer 200; 30 s by default */
  readyTimeoutMs?: number;
  /** wait for /health to answer at all (any status) instead of 200: for a service whose dependencies are down on purpose */
  readyWhenListening?: boolean;
}

export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** everything the service printed so far (its JSON log lines) */
  output: () => string;
  /** SIGTERM, and waits for the exit (SIGKILL after 10 s) */
  stop: () => Promise<void>;
  /** SIGKILL at once: a crash */
  kill: () => Promise<void>;
}

/**
 * Starts a service as a real process from its TypeScript source (through
 * tsx), for tests that need real HTTP between services, and waits until it
 * is healthy. Always stop() it.
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const root = findWorkspaceRoot();
  const portEnv = servicePortVariable(options.app);
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps', options.app, 'src/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      LOG_LEVEL: 'warn',
      ...options.env,
      [portEnv]: String(options.port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;

  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill(signal);
    await exited;
    clearTimeout(force);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.app} exited with code ${child.exitCode} before it was ready:\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok || options.readyWhenListening) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopWith('SIGKILL');
      throw new Error(`${options.app} was not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port: options.port, child, output: () => output, stop: () => stopWith('SIGTERM'), kill: () => stopWith('SIGKILL') };
}
