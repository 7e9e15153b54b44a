import { join } from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { loadServiceEnv } from '@nexus/config';
import type { CallerDigests, LoadedSettings, Logger } from '@nexus/service-kit';
import {
  createLogEventStore,
  createWebhookStore,
  openDatabase,
  type Dialect,
  type LogEventStore,
  type LoggerTables,
  type OpenDatabaseOptions,
  type WebhookStore,
} from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from './app';
import { EventLog } from './event-log';
import { createLoggerMetrics } from './logger-metrics';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { loadWebhookSettings, type WebhookSettings } from './webhooks/webhook-env';
import { createWebhookMetrics } from './webhooks/webhook-metrics';
import { WebhookSender } from './webhooks/webhook-sender';
import { WebhookWorker } from './webhooks/webhook-worker';
import { Webhooks } from './webhooks/webhooks';
import { listenForAppends, type AppendListener } from './live/append-listener';
import { LiveStreams } from './live/live-streams';
import { loadStreamEnv, type StreamEnv } from './live/stream-env';

export interface LoggerSettings {
  /** the callers this service accepts → the sha256 of each one's token */
  callers: CallerDigests;
  /** PostgreSQL at `databaseUrl`, else SQLite at `sqlitePath` */
  store: Pick<OpenDatabaseOptions, 'databaseUrl' | 'sqlitePath'>;
  /** signed webhooks: the SSRF guard's switch, polling, retries */
  webhooks: WebhookSettings;
  /** `GET /events/stream`: heartbeat interval and the most streams served at once */
  stream: StreamEnv;
}

export interface BuildLoggerOptions {
  settings: LoggerSettings;
  logger: Logger;
  /** the clock events are recorded by; the wall clock by default */
  clock?: () => Date;
  /** the jitter of webhook retries; Math.random by default */
  random?: () => number;
}

export interface LoggerService {
  app: Express;
  store: LogEventStore;
  log: EventLog;
  webhooks: Webhooks;
  webhookStore: WebhookStore;
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
      webhooks: loadWebhookSettings(env),
      stream: loadStreamEnv(env),
    },
  };
}

/** Builds the logger service from its settings: store, event log, webhooks (their worker started) and the app. */
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
  const webhookStore = await createWebhookStore(database);
  const sender = new WebhookSender({
    store: webhookStore,
    settings: settings.webhooks,
    metrics: createWebhookMetrics(registry),
    clock: options.clock,
    random: options.random,
  });
  const webhooks = new Webhooks({
    store: webhookStore,
    source: store,
    sender,
    allowPrivateTargets: settings.webhooks.allowPrivateTargets,
    clock: options.clock,
  });
  const worker = new WebhookWorker({
    dispatcher: new WebhookDispatcher({ store: webhookStore, source: store, clock: options.clock }),
    sender,
    logger,
    pollMs: settings.webhooks.pollMs,
  });
  worker.start();
  const app = createApp({ log, webhooks, store, registry, logger, callers: settings.callers, stream });
  return {
    app,
    store,
    log,
    webhooks,
    webhookStore,
    dialect: database.dialect,
    streams,
    stopping: () => streams.stop(),
    close: async () => {
      streams.stop();
      await worker.stop();
      await sender.close();
      await listener?.close();
      await store.close();
    },
  };
}
