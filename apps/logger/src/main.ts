import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError, loadServiceEnv } from '@nexus/config';
import { createLogger, describeError, serve } from '@nexus/service-kit';
import { createLogEventStore, openDatabase, type LoggerTables } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from './app';
import { EventLog } from './event-log';
import { createLoggerMetrics } from './logger-metrics';

const logger = createLogger('logger');

async function main(): Promise<void> {
  const env = loadServiceEnv('logger', 8007, process.env, { accepts: CALLERS_ACCEPTED_BY.logger });
  const database = openDatabase<LoggerTables>({
    databaseUrl: env.databaseUrl,
    sqlitePath: join(env.dataDir, 'logger.sqlite'),
    applicationName: 'nexus-logger',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const store = await createLogEventStore(database);
  const registry = new Registry();
  const log = new EventLog({ store, metrics: createLoggerMetrics(registry) });
  const app = createApp({ log, store, registry, logger, callers: env.callers });
  await serve(app, { host: env.host, port: env.port, logger, onShutdown: () => store.close() });
  logger.info('logger service ready', { store: database.dialect });
}

main().catch((error: unknown) => {
  const details = error instanceof ConfigError ? { problems: error.problems } : { cause: describeError(error) };
  logger.error('logger service failed to start', { error: error instanceof Error ? error.message : String(error), ...details });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
