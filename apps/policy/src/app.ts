import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { AppError, createServiceApp, type CallerDigests, type Logger } from '@nexus/service-kit';
import { isStoreUnavailable, type PolicyStore } from '@nexus/stores';
import type { PolicyService } from './policy-service';
import { agentRoutes } from './routes/agent-routes';
import { approvalRoutes } from './routes/approval-routes';
import { decisionRoutes } from './routes/decision-routes';
import { periodRoutes } from './routes/period-routes';
import { reservationRoutes } from './routes/reservation-routes';
import { treasuryRoutes } from './routes/treasury-routes';

export interface PolicyAppDeps {
  policy: PolicyService;
  store: Pick<PolicyStore, 'ping'>;
  logger: Logger;
  /** the callers this service knows → the sha256 of each one's token (CALLERS_ACCEPTED_BY.policy in @nexus/types) */
  callers: CallerDigests;
  /** Holds the policy's own counters; the kit adds process and HTTP metrics. */
  registry: Registry;
}

/** The policy service's HTTP API (internal: every route but health and metrics needs the token of a caller it accepts). */
export function createApp(deps: PolicyAppDeps): Express {
  return createServiceApp({
    name: 'policy',
    logger: deps.logger,
    callers: deps.callers,
    registry: deps.registry,
    healthChecks: { store: () => deps.store.ping() },
    mapError: (error) =>
      isStoreUnavailable(error)
        ? new AppError('SERVICE_UNAVAILABLE', 'the policy store is unavailable; nothing was changed, retry shortly', { cause: error })
        : undefined,
    routes: (router) => {
      decisionRoutes(router, deps.policy);
      reservationRoutes(router, deps.policy);
      agentRoutes(router, deps.policy);
      periodRoutes(router, deps.policy);
      treasuryRoutes(router, deps.policy);
      approvalRoutes(router, deps.policy);
    },
  });
}
