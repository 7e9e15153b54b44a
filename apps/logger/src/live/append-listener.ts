import pg from 'pg';
import { describeError, type Logger } from '@nexus/service-kit';
import { LIVE_EVENTS_CHANNEL } from '@nexus/stores';

export interface AppendListener {
  close: () => Promise<void>;
}

export interface AppendListenerOptions {
  databaseUrl: string;
  logger: Logger;
  /** told on every notification, and after each (re)connection: something may have been appended meanwhile */
  onAppend: () => void;
  /** wait before reconnecting after the connection dropped; 1 s by default */
  reconnectMs?: number;
}

/**
 * PostgreSQL: one dedicated connection LISTENs on the channel every append
 * notifies (in its transaction, so after commit), so streams served by this
 * process see what another logger process stored. It reconnects when the
 * connection drops, and wakes the streams then, in case a notification was
 * missed while it was away.
 */
export function listenForAppends(options: AppendListenerOptions): AppendListener {
  const { logger } = options;
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const reconnectLater = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, options.reconnectMs ?? 1_000);
    retry.unref();
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: options.databaseUrl, application_name: 'nexus-logger-listen' });
    client = next;
    next.on('notification', () => options.onAppend());
    next.on('error', (error) => {
      logger.warn('the stream listener lost its connection; it reconnects', { error: error.message });
      void next.end().catch(() => undefined);
      reconnectLater();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${LIVE_EVENTS_CHANNEL}`);
      if (closed) await next.end();
      else options.onAppend();
    } catch (error: unknown) {
      logger.warn('the stream listener could not connect; it tries again', { error: describeError(error) });
      void next.end().catch(() => undefined);
      reconnectLater();
    }
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
