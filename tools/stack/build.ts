import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const workspaceRoot = resolve(__dirname, '../..');

/** The operator's console: built with the services, served by the gateway at /dashboard/. */
export const DASHBOARD_PROJECT = 'dashboard';

/** Builds the given Nx app projects into dist/apps/<project>/main.js (cached by Nx). */
export function buildApps(projects: readonly string[]): void {
  const result = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...projects, '--outputStyle=static'], {
    cwd: workspaceRoot,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  if (result.status !== 0) throw new Error(`build of ${projects.join(', ')} failed`);
}

export const bundlePath = (project: string) => resolve(workspaceRoot, 'dist/apps', project, 'main.js');
