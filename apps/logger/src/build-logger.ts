import { join } from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { loadServiceEnv } from '@nexus/config';
import type { CallerDigests, LoadedSettings, Logger } from '@nexus/service-kit';
import {
  createLogEventStore,
  openDatabase,
  type Dialect,
  type LogEventStore,
  type LoggerTables,
  type OpenDatabaseOptions,
} from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from './app';
import { EventLog } from './event-log';
import { createLoggerMetrics } from './logger-metrics';

export interface LoggerSettings {
  /** the callers this service accepts → the sha256 of each one's token */
  callers: CallerDigests;
  /** PostgreSQL at `databaseUrl`, else SQLite at `sqlitePath` */
  store: Pick<OpenDatabaseOptions, 'databaseUrl' | 'sqlitePath'>;
}

export interface BuildLoggerOptions {
  settings: LoggerSettings;
  logger: Logger;
  /** the clock events are recorded by; the wall clock by default */
  clock?: () => Date;
}

export interface LoggerService {
  app: Express;
  store: LogEventStore;
  log: EventLog;
  dialect: Dialect;
  /** closes the store (after the server stopped taking requests) */
  close: () => Promise<void>;
}

/** The logger service's settings from its environment. */
export function loadLoggerSettings(env: NodeJS.ProcessEnv = process.env): LoadedSettings<LoggerSettings> {
  const service = loadServiceEnv('logger', 8007, env, { accepts: CALLERS_ACCEPTED_BY.logger });
  return {
    listen: { host: service.host, port: service.port },
    settings: {
      callers: service.callers,
      store: { databaseUrl: service.databaseUrl, sqlitePath: join(service.dataDir, 'logger.sqlite') },
    },
  };
}

/** Builds the logger service from its settings: store, event log and the app. */
export async function buildLogger(options: BuildLoggerOptions): Promise<LoggerService> {
  const { settings, logger } = options;
  const database = openDatabase<LoggerTables>({
    ...settings.store,
    applicationName: 'nexus-logger',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const store = await createLogEventStore(database);
  const registry = new Registry();
  const log = new EventLog({ store, metrics: createLoggerMetrics(registry), clock: options.clock });
  const app = createApp({ log, store, registry, logger, callers: settings.callers });
  return { app, store, log, dialect: database.dialect, close: () => store.close() };
}
