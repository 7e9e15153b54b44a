import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { AppError, createServiceApp, type CallerDigests, type Logger } from '@nexus/service-kit';
import { isStoreUnavailable, type LogEventStore } from '@nexus/stores';
import type { EventLog } from './event-log';
import type { EventStreamDeps } from './live/event-stream';
import { eventRoutes } from './routes/event-routes';
import { streamRoutes } from './routes/stream-routes';

export interface LoggerAppDeps {
  log: EventLog;
  store: Pick<LogEventStore, 'ping'>;
  logger: Logger;
  /** the callers this service knows → the sha256 of each one's token (CALLERS_ACCEPTED_BY.logger in @nexus/types) */
  callers: CallerDigests;
  /** Holds the logger's own counters; the kit adds process and HTTP metrics. */
  registry: Registry;
  /** `GET /events/stream`: the log, its open streams and their heartbeat */
  stream: EventStreamDeps;
}

/** A batch holds up to 500 events of at most about 1.3 kB each. */
const BODY_LIMIT = '1mb';

/** The logger service's HTTP API (internal: every route but health and metrics needs the token of a caller it accepts). */
export function createApp(deps: LoggerAppDeps): Express {
  return createServiceApp({
    name: 'logger',
    logger: deps.logger,
    callers: deps.callers,
    registry: deps.registry,
    bodyLimit: BODY_LIMIT,
    healthChecks: { store: () => deps.store.ping() },
    mapError: (error) =>
      isStoreUnavailable(error)
        ? new AppError('SERVICE_UNAVAILABLE', 'the event log is unavailable; nothing was stored, retry shortly', { cause: error })
        : undefined,
    // the stream first: `/events/stream` is not an event id
    routes: (router) => {
      streamRoutes(router, deps.stream);
      eventRoutes(router, deps.log);
    },
  });
}
