import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from './logger';

export interface ServeOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Closes the service's own resources (stores, timers) after the server stops taking requests. */
  onShutdown?: () => Promise<void> | void;
  /** How long in-flight requests get before connections are cut; 10 s by default. */
  shutdownTimeoutMs?: number;
}

export interface RunningService {
  server: Server;
  port: number;
  /** Stops taking requests, lets in-flight ones finish, then runs onShutdown. Safe to call twice. */
  shutdown: (reason: string) => Promise<void>;
}

/** Listens, and shuts down cleanly on SIGTERM/SIGINT. */
export async function serve(app: Express, options: ServeOptions): Promise<RunningService> {
  const { logger } = options;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host ?? '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  logger.info('listening', { host: options.host ?? '127.0.0.1', port });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down', { reason });
      const timer = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs ?? 10_000);
      timer.unref();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(timer);
      await options.onShutdown?.();
      logger.info('stopped');
    })();
    return stopping;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exit(1);
        },
      );
    });
  }
  return { server, port, shutdown };
}
