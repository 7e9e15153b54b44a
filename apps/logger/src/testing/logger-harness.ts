import type { Express } from 'express';
import { createSilentLogger } from '@nexus/service-kit';
import { authAs, serveOnDemand, TEST_TOKENS, testCallerDigests, type OnDemandServer } from '@nexus/service-kit/testing';
import type { LogEventStore, WebhookStore } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { buildLogger } from '../build-logger';
import type { EventLog } from '../event-log';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks/webhook-env';
import type { Webhooks } from '../webhooks/webhooks';

/** The gateway's test token: most tests call as the gateway; `authAs` (service-kit) gives any other caller's header. */
export const TEST_TOKEN = TEST_TOKENS.gateway;
export const auth = authAs('gateway');

export interface LoggerUnderTest extends OnDemandServer {
  app: Express;
  store: LogEventStore;
  log: EventLog;
  webhooks: Webhooks;
  webhookStore: WebhookStore;
  /** ends the open event streams (as a shutdown does) */
  stopStreams: () => void;
}

export interface LoggerHarnessOptions {
  /** PostgreSQL; an in-memory SQLite store when absent */
  databaseUrl?: string;
  /** SQLite file, to reopen the same store */
  sqlitePath?: string;
  clock?: () => Date;
  /** webhook settings over the test ones (private targets allowed, fast polling and retries) */
  webhooks?: Partial<WebhookSettings>;
  random?: () => number;
  /** heartbeat of idle event streams; 15 s by default */
  heartbeatMs?: number;
  /** the most event streams served at once; 1000 by default */
  maxStreams?: number;
}

/** Webhooks for tests: receivers on 127.0.0.1, a quick worker and short retries. */
export const TEST_WEBHOOK_SETTINGS: WebhookSettings = {
  ...DEFAULT_WEBHOOK_SETTINGS,
  allowPrivateTargets: true,
  pollMs: 25,
  retryInitialMs: 100,
  retryMaxMs: 1_000,
  timeoutMs: 2_000,
};

/** A real logger service (real store, real HTTP app) for supertest or a loopback port. */
export async function createLoggerUnderTest(options: LoggerHarnessOptions = {}): Promise<LoggerUnderTest> {
  const { app, store, log, webhooks, webhookStore, close, stopping } = await buildLogger({
    settings: {
      webhooks: { ...TEST_WEBHOOK_SETTINGS, ...options.webhooks },
      callers: testCallerDigests(CALLERS_ACCEPTED_BY.logger),
      store: options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: options.sqlitePath ?? ':memory:' },
      stream: { heartbeatMs: options.heartbeatMs ?? 15_000, maxOpen: options.maxStreams ?? 1_000 },
    },
    logger: createSilentLogger('logger'),
    clock: options.clock,
    random: options.random,
  });
  return Object.assign(serveOnDemand(app, close), { app, store, log, webhooks, webhookStore, stopStreams: stopping });
}
