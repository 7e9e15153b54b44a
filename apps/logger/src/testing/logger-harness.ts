import type { Express } from 'express';
import { createSilentLogger } from '@nexus/service-kit';
import { authAs, serveOnDemand, TEST_TOKENS, testCallerDigests, type OnDemandServer } from '@nexus/service-kit/testing';
import type { LogEventStore } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { buildLogger } from '../build-logger';
import type { EventLog } from '../event-log';

/** The gateway's test token: most tests call as the gateway; `authAs` (service-kit) gives any other caller's header. */
export const TEST_TOKEN = TEST_TOKENS.gateway;
export const auth = authAs('gateway');

export interface LoggerUnderTest extends OnDemandServer {
  app: Express;
  store: LogEventStore;
  log: EventLog;
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
  const { app, store, log, close } = await buildLogger({
    settings: {
      callers: testCallerDigests(CALLERS_ACCEPTED_BY.logger),
      store: options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: options.sqlitePath ?? ':memory:' },
    },
    logger: createSilentLogger('logger'),
    clock: options.clock,
  });
  return Object.assign(serveOnDemand(app, close), { app, store, log });
}
