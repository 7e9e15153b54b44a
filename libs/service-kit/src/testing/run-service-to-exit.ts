import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { findWorkspaceRoot, servicePortVariable } from './service-process';

export interface ServiceRunOptions {
  /** the Nx app: runs apps/<app>/src/main.ts */
  app: string;
  /** the environment of the child besides PATH (its port is 0 unless `env` says otherwise) */
  env: Record<string, string>;
  /** how long it may run; 30 s by default */
  timeoutMs?: number;
}

/**
 * Runs a service's entry point from its TypeScript source (through tsx) to
 * its exit and returns what it printed and its exit status: for a start-up
 * that must be refused.
 */
export function runServiceToExit(options: ServiceRunOptions): SpawnSyncReturns<string> {
  const root = findWorkspaceRoot();
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'apps', options.app, 'src/main.ts')], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', [servicePortVariable(options.app)]: '0', ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
  });
}
