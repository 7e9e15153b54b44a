import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Registry } from 'prom-client';
import { errorHandler, notFoundHandler, type ErrorMapper } from './error-handler';
import { healthRoute, type HealthCheck } from './health';
import { assertRoutesDeclareCallers, authenticateCallers, type CallerDigests } from './caller-auth';
import type { Logger } from './logger';
import { createMetrics } from './metrics';
import { requestId } from './request-id';
import { requestLog, type RequestLogOptions } from './request-log';

export interface ServiceAppOptions {
  /** Service name, used in logs, metrics and health. */
  name: string;
  logger: Logger;
  /** Mounts the service's own routes. */
  routes: (router: Router) => void;
  /** Readiness checks of dependencies reported by `GET /health`. */
  healthChecks?: Record<string, HealthCheck>;
  /**
   * Internal services: the callers they know (name → sha256 of its token).
   * Every route but health and metrics then needs a known caller's bearer
   * token, and every route must name the callers it accepts (`acceptCallers`).
   */
  callers?: CallerDigests;
  /** The service's own metrics registry (domain counters); process and HTTP metrics are added to it. */
  registry?: Registry;
  /** Maps the service's own failures to AppErrors (e.g. a store outage to 503); others become 500. */
  mapError?: ErrorMapper;
  /** Which successful requests get a line (`NEXUS_REQUEST_LOG` by default: errors only). */
  requestLog?: RequestLogOptions;
  /** JSON body limit; 100kb by default. */
  bodyLimit?: string;
  /** Runs on every request before health and metrics (security headers, CORS). */
  early?: RequestHandler[];
  /** Runs after health and metrics, before the body is read (authentication, rate limits). */
  guards?: RequestHandler[];
}

const PUBLIC_PATHS = ['/health', '/metrics'];

/**
 * The Express app every service starts from: request id, request log, metrics,
 * early handlers, health, caller authentication (internal services), guards, JSON body parsing, then the service's routes,
 * then the 404 handler and the one error middleware.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  const metrics = createMetrics(options.name, options.registry);

  app.use(requestId());
  app.use(requestLog(options.logger, options.requestLog));
  app.use(metrics.middleware);
  for (const handler of options.early ?? []) app.use(handler);
  app.get('/health', healthRoute(options.name, options.healthChecks ?? {}));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  if (options.callers !== undefined) app.use(authenticateCallers(options.callers, PUBLIC_PATHS));
  for (const handler of options.guards ?? []) app.use(handler);
  app.use(express.json({ limit: options.bodyLimit ?? '100kb', strict: true }));

  const router = express.Router();
  options.routes(router);
  if (options.callers !== undefined) assertRoutesDeclareCallers(router);
  app.use(router);

  app.use(notFoundHandler());
  app.use(errorHandler(options.logger, options.mapError));
  return app;
}
