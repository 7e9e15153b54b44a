import { IdParams, ServiceView, ServiceViewList } from '@nexus/types';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, type AnyRoute } from '../http/route-spec';
import { catalogEntry } from '../services/service-catalog';
import type { ListedService } from '../services/service-directory';

async function view(deps: GatewayDeps, service: ListedService): Promise<ServiceView> {
  const healthy = (await deps.health.provider(service.config.id)).status === 'ok';
  if (service.kind === 'x402') {
    const { url, payTo, maxPrice, method } = service.config;
    return { ...catalogEntry(service), providerUrl: url, payee: payTo, maxPrice, method, healthy };
  }
  return {
    ...catalogEntry(service),
    providerUrl: service.config.providerUrl,
    payee: service.config.payee,
    maxPrice: null,
    method: null,
    healthy,
  };
}

export function serviceRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/services',
      tag: 'services',
      access: 'key',
      summary:
        'Services with their variants, prices and health: our providers, and the external x402 services (priced by their 402 answer, at most maxPrice)',
      responses: { 200: { description: 'the services', schema: ServiceViewList } },
      handle: async () => ({
        body: { items: await Promise.all(deps.services.list().map((service) => view(deps, service))), nextCursor: null },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/services/:id',
      tag: 'services',
      access: 'key',
      summary: 'One service with its variants, prices and provider health',
      params: IdParams,
      responses: { 200: { description: 'the service', schema: ServiceView } },
      errors: { 404: 'unknown service' },
      handle: async ({ params }) => ({ body: await view(deps, deps.services.get(params.id)) }),
    }),
  ];
}
