import type { Express } from 'express';
import { describeError } from './describe-error';
import { createLogger, type Logger } from './logger';
import { serve } from './serve';

/** A service built from its settings: its app, and how to stop what it runs besides (workers, stores). */
export interface ServiceRoot {
  app: Express;
  /** stops the background work and closes the stores, after the server stopped taking requests */
  close: () => Promise<void>;
  /** ends long-lived requests (event streams) as shutdown starts, so it need not wait on them */
  stopping?: () => void;
}

/** Where a service listens, and the settings it is built from. */
export interface LoadedSettings<Settings> {
  listen: { host: string; port: number };
  settings: Settings;
}

export interface RunServiceOptions<Settings, Root extends ServiceRoot> {
  /** the service's logger name, e.g. `policy` */
  name: string;
  /** how the start-up lines name it (`policy service ready`); the name by default */
  label?: string;
  /** reads the environment and the config files; a configuration error lists every problem */
  load: () => LoadedSettings<Settings>;
  /** the composition root: the same function the tests build the service with */
  build: (settings: Settings, logger: Logger) => Promise<Root>;
  /** what the ready line tells besides */
  ready?: (root: Root, settings: Settings) => Record<string, unknown>;
}

/** A configuration error (`ConfigError` of @nexus/config) lists its problems: the log shows every one. */
function startFailure(error: unknown): Record<string, unknown> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && 'problems' in error && Array.isArray(error.problems)) return { error: message, problems: error.problems };
  return { error: message, cause: describeError(error) };
}

/**
 * A service's whole `main`: loads its settings, builds it, serves it, says it
 * is ready, and stops cleanly on SIGTERM. A failed start is logged (every
 * configuration problem at once) and exits 1.
 */
export function runService<Settings, Root extends ServiceRoot>(options: RunServiceOptions<Settings, Root>): void {
  const logger = createLogger(options.name);
  const label = options.label ?? options.name;
  const start = async () => {
    const { listen, settings } = options.load();
    const root = await options.build(settings, logger);
    await serve(root.app, { host: listen.host, port: listen.port, logger, onShutdown: root.close, onStopping: root.stopping });
    logger.info(`${label} ready`, options.ready?.(root, settings) ?? {});
  };
  start().catch((error: unknown) => {
    logger.error(`${label} failed to start`, startFailure(error));
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}
