import type { GatewayDeps } from '../gateway-deps';
import type { AnyRoute } from '../http/route-spec';
import { agentRoutes } from './agent-routes';
import { approvalRoutes } from './approval-routes';
import { chatRoutes } from './chat-routes';
import { docsRoutes } from './docs-routes';
import { healthRoutes } from './health-routes';
import { historyRoutes } from './history-routes';
import { invokeRoutes } from './invoke-routes';
import { liveRoutes } from './live-routes';
import { mcpRoutes } from './mcp-routes';
import { policyRoutes } from './policy-routes';
import { serviceRoutes } from './service-routes';
import { treasuryRoutes } from './treasury-routes';
import { webhookRoutes } from './webhook-routes';
import { whoamiRoutes } from './whoami-routes';

/** Every route of the public API (docs/architecture.md §6), in the order the docs show them. */
export function routeTable(deps: GatewayDeps, document: () => unknown): AnyRoute[] {
  return [
    ...healthRoutes(deps),
    ...whoamiRoutes(),
    ...chatRoutes(deps),
    ...invokeRoutes(deps),
    ...treasuryRoutes(deps),
    ...agentRoutes(deps),
    ...serviceRoutes(deps),
    ...historyRoutes(deps),
    ...liveRoutes(deps),
    ...policyRoutes(deps),
    ...webhookRoutes(deps),
    ...approvalRoutes(deps),
    ...mcpRoutes(deps),
    ...docsRoutes(document),
  ];
}
