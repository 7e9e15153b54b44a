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
  /** ends the open event streams (as a shutdown does) */
  stopStreams: () => void;
}

export interface LoggerHarnessOptions {
  /** PostgreSQL; an in-memory SQLite store when absent */
  databaseUrl?: string;
  /** SQLite file, to reopen the same store */
  sqlitePath?: string;
  clock?: () => Date;
  /** heartbeat of idle event streams; 15 s by default */
  heartbeatMs?: number;
  /** the most event streams served at once; 1000 by default */
  maxStreams?: number;
}

/** A real logger service (real store, real HTTP app) for supertest or a loopback port. */
export async function createLoggerUnderTest(options: LoggerHarnessOptions = {}): Promise<LoggerUnderTest> {
  const { app, store, log, close, stopping } = await buildLogger({
    settings: {
      callers: testCallerDigests(CALLERS_ACCEPTED_BY.logger),
      store: options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: options.sqlitePath ?? ':memory:' },
      stream: { heartbeatMs: options.heartbeatMs ?? 15_000, maxOpen: options.maxStreams ?? 1_000 },
    },
    logger: createSilentLogger('logger'),
    clock: options.clock,
  });
  return Object.assign(serveOnDemand(app, close), { app, store, log, stopStreams: stopping });
}
