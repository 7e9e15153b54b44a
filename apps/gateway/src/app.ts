import cors from 'cors';
import type { Express, RequestHandler } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import swaggerUi from 'swagger-ui-express';
import { AppError, createServiceApp, type Logger } from '@nexus/service-kit';
import { isStoreUnavailable } from '@nexus/stores';
import { authenticate, type ApiKeys } from './access/api-keys';
import { authFailureLimit } from './access/auth-failure-limit';
import { mcpHostGuard } from './access/mcp-host-guard';
import { rateLimitPerKey, type RateLimitSettings } from './access/rate-limit';
import type { GatewayDeps } from './gateway-deps';
import type { McpAccess } from './gateway-env';
import { DASHBOARD_PATH, dashboardAssets } from './http/dashboard-assets';
import { mountRoutes } from './http/mount-routes';
import { openApiDocument } from './http/openapi';
import { routeTable } from './routes/route-table';

export interface GatewayAppDeps extends GatewayDeps {
  logger: Logger;
  registry: Registry;
  keys: ApiKeys;
  rateLimit: RateLimitSettings;
  /** failed authentications (401) per address before it gets 429 */
  authFailureLimit: RateLimitSettings;
  /** origins allowed by CORS: none (no CORS headers), a list, or ['*'] */
  corsOrigins: readonly string[];
  bodyLimit: string;
  /** the Host and Origin checks of `/mcp` */
  mcpAccess: McpAccess;
  /** readiness of the gateway's own store */
  storePing: () => Promise<void>;
  /** the built operator's console, served at /dashboard/ */
  dashboardDir: string;
}

const isPublic = (method: string, path: string) =>
  ((method === 'GET' || method === 'HEAD') &&
    (path === '/' || path === '/openapi.json' || path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`))) ||
  path === '/docs' ||
  path.startsWith('/docs/');

function corsHandler(origins: readonly string[]): RequestHandler[] {
  if (origins.length === 0) return [];
  return [
    cors({
      origin: origins.includes('*') ? '*' : [...origins],
      // MCP clients in a browser send the protocol version and (with the admin key) the agent; streams resume with Last-Event-ID.
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'X-Request-Id',
        'Last-Event-ID',
        'Mcp-Protocol-Version',
        'X-Nexus-Agent',
      ],
      exposedHeaders: ['Idempotent-Replayed', 'X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
      maxAge: 600,
    }),
  ];
}

/**
 * The public API (docs/architecture.md §6): security headers and CORS, then a limit of
 * failed authentications per address, keys and a rate limit per key, then the route table, each route validated by its zod
 * schemas, which also write `/openapi.json` and the `/docs` page.
 */
export function createApp(deps: GatewayAppDeps): Express {
  // `/openapi.json` serves the document of the whole table, itself included: read when a request comes, after both exist.
  const routes = routeTable(deps, () => document);
  const document = openApiDocument(routes, deps.version);

  const app = createServiceApp({
    name: 'gateway',
    logger: deps.logger,
    registry: deps.registry,
    bodyLimit: deps.bodyLimit,
    early: [
      helmet({
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            styleSrc: ["'self'", "'unsafe-inline'"],
            imgSrc: ["'self'", 'data:'],
            scriptSrc: ["'self'"],
          },
        },
      }),
      ...corsHandler(deps.corsOrigins),
    ],
    guards: [
      mcpHostGuard(deps.mcpAccess),
      authFailureLimit(deps.authFailureLimit, isPublic),
      authenticate(deps.keys, isPublic, deps.tickets),
      rateLimitPerKey(deps.rateLimit),
    ],
    healthChecks: {
      store: () => deps.storePing(),
      policy: () => deps.policy.ping(),
      payment: () => deps.payments.ping(),
    },
    mapError: (error) =>
      isStoreUnavailable(error)
        ? new AppError('SERVICE_UNAVAILABLE', 'the gateway store is unavailable; nothing was done, retry shortly', { cause: error })
        : undefined,
    routes: (router) => {
      router.use(dashboardAssets(deps.dashboardDir));
      router.use('/docs', swaggerUi.serve, swaggerUi.setup(document as swaggerUi.JsonObject, { customSiteTitle: 'MNEE Nexus API' }));
      mountRoutes(router, routes);
    },
  });
  return app;
}
