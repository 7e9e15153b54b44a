import type { Request, RequestHandler } from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

/** The route template (`/agents/:id`), never the raw URL, so label cardinality stays bounded. */
function routeLabel(req: Request): string {
  const route: unknown = req.route;
  const path = typeof route === 'object' && route !== null && 'path' in route ? String(route.path) : undefined;
  return path === undefined ? 'unmatched' : `${req.baseUrl}${path}`;
}

/**
 * One registry per app (tests build many apps in one process): default process
 * metrics plus request durations, added to the service's own registry when it
 * has one for its domain metrics.
 */
export function createMetrics(service: string, registry = new Registry()): ServiceMetrics {
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => end({ method: req.method, route: routeLabel(req), status_code: String(res.statusCode) }));
    next();
  };
  return { registry, middleware };
}
