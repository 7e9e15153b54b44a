import type { Express } from 'express';
import { Registry } from 'prom-client';
import { authAs, createSilentLogger, listenOnLoopback, TEST_TOKENS, testCallerDigests, type LoopbackServer } from '@nexus/service-kit';
import { createLogEventStore, openDatabase, type LogEventStore, type LoggerTables } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from '../app';
import { EventLog } from '../event-log';
import { createLoggerMetrics } from '../logger-metrics';

/** The gateway's test token: most tests call as the gateway; `authAs` (service-kit) gives any other caller's header. */
export const TEST_TOKEN = TEST_TOKENS.gateway;
export const auth = authAs('gateway');

export interface LoggerUnderTest {
  app: Express;
  store: LogEventStore;
  log: EventLog;
  /** Base URL once `listen` has been called. */
  url: string;
  /** Serves the app on a loopback port of its own (for real HTTP from clients). */
  listen: () => Promise<string>;
  close: () => Promise<void>;
}

export interface LoggerHarnessOptions {
  /** PostgreSQL; an in-memory SQLite store when absent */
  databaseUrl?: string;
  /** SQLite file, to reopen the same store */
  sqlitePath?: string;
  clock?: () => Date;
}

/** A real logger service (real store, real HTTP app) for supertest or a loopback port. */
export async function createLoggerUnderTest(options: LoggerHarnessOptions = {}): Promise<LoggerUnderTest> {
  const database = openDatabase<LoggerTables>(
    options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: options.sqlitePath ?? ':memory:' },
  );
  const store = await createLogEventStore(database);
  const registry = new Registry();
  const log = new EventLog({ store, metrics: createLoggerMetrics(registry), ...(options.clock ? { clock: options.clock } : {}) });
  const app = createApp({
    log,
    store,
    registry,
    logger: createSilentLogger('logger'),
    callers: testCallerDigests(CALLERS_ACCEPTED_BY.logger),
  });
  let server: LoopbackServer | undefined;
  const harness: LoggerUnderTest = {
    app,
    store,
    log,
    url: '',
    listen: async () => {
      server = await listenOnLoopback(app);
      harness.url = server.url;
      return harness.url;
    },
    close: async () => {
      await server?.close();
      await store.close();
    },
  };
  return harness;
}
