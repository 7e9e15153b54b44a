import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { describeError } from './describe-error';
import type { Logger } from './logger';

export interface ServeOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Closes the service's own resources (stores, timers) after the server stops taking requests. */
  onShutdown?: () => Promise<void> | void;
  /**
   * Told as shutdown starts, before in-flight requests are waited for: ends
   * requests that never finish by themselves (event streams), so they do not
   * hold shutdown until its timeout.
   */
  onStopping?: () => void;
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
    // Express 5 calls this back with the error too (EADDRINUSE...): it is not a successful listen.
    const s = app.listen(options.port, options.host ?? '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  logger.info('listening', { host: options.host ?? '127.0.0.1', port });

  let stopping: Promise<void> | undefined;
  // server.close() only closes the connections idle at that moment; a keep-alive connection busy with an
  // in-flight request would then hold shutdown until the client drops it. So once stopping, responses say
  // `Connection: close`, and connections that turn idle are closed as shutdown goes on.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
  });
  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info('shutting down', { reason });
      try {
        options.onStopping?.();
        const timer = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs ?? 10_000);
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        timer.unref();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        clearTimeout(timer);
        clearInterval(idle);
        await options.onShutdown?.();
      } finally {
        // A stopped service must not keep hold of the process's signals (tests start many).
        for (const [signal, handler] of signalHandlers) process.off(signal, handler);
      }
      logger.info('stopped');
    })();
    return stopping;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const handler = () => {
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error: describeError(error) });
          process.exit(1);
        },
      );
    };
    signalHandlers.set(signal, handler);
    process.once(signal, handler);
  }
  return { server, port, shutdown };
}
