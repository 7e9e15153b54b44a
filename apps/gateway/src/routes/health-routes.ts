import { GatewayHealth } from '@nexus/types';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, type AnyRoute } from '../http/route-spec';

export function healthRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/',
      tag: 'health',
      access: 'public',
      summary: 'Health of the gateway and the services behind it',
      description: 'Always 200 while the gateway runs; `status` is `degraded` when the policy, payment or logger service does not answer.',
      responses: { 200: { description: 'the gateway is up', schema: GatewayHealth } },
      handle: async () => {
        const [dependencies, treasuryMode] = await Promise.all([deps.health.internal(), deps.health.paymentMode()]);
        const ok = Object.values(dependencies).every((state) => state.status === 'ok');
        const body: GatewayHealth = {
          status: ok ? 'ok' : 'degraded',
          service: 'gateway',
          version: deps.version,
          mode: treasuryMode,
          dependencies,
        };
        return { body };
      },
    }),
  ];
}
