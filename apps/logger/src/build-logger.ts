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
import { listenForAppends, type AppendListener } from './live/append-listener';
import { LiveStreams } from './live/live-streams';
import { loadStreamEnv, type StreamEnv } from './live/stream-env';

export interface LoggerSettings {
  /** the callers this service accepts → the sha256 of each one's token */
  callers: CallerDigests;
  /** PostgreSQL at `databaseUrl`, else SQLite at `sqlitePath` */
  store: Pick<OpenDatabaseOptions, 'databaseUrl' | 'sqlitePath'>;
  /** `GET /events/stream`: heartbeat interval and the most streams served at once */
  stream: StreamEnv;
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
  /** open event streams (`GET /events/stream`) */
  streams: LiveStreams;
  /** ends the open event streams as shutdown starts */
  stopping: () => void;
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
      stream: loadStreamEnv(env),
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
  const streams = new LiveStreams(settings.stream.maxOpen);
  // This process's appends wake its streams at once; on PostgreSQL, other logger processes' appends come by NOTIFY.
  const log = new EventLog({ store, metrics: createLoggerMetrics(registry), clock: options.clock, onStored: () => streams.wakeAll() });
  const listener: AppendListener | undefined = settings.store.databaseUrl
    ? listenForAppends({ databaseUrl: settings.store.databaseUrl, logger, onAppend: () => streams.wakeAll() })
    : undefined;
  const stream = { store, streams, logger, heartbeatMs: settings.stream.heartbeatMs };
  const app = createApp({ log, store, registry, logger, callers: settings.callers, stream });
  return {
    app,
    store,
    log,
    dialect: database.dialect,
    streams,
    stopping: () => streams.stop(),
    close: async () => {
      streams.stop();
      await listener?.close();
      await store.close();
    },
  };
}
