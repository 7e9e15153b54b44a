import { IdParams, ServiceView, ServiceViewList } from '@nexus/types';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, type AnyRoute } from '../http/route-spec';
import type { PaidService } from '../services/service-directory';

async function view(deps: GatewayDeps, service: PaidService): Promise<ServiceView> {
  const { config } = service;
  const health = await deps.health.provider(config.id);
  return {
    id: config.id,
    name: config.name,
    providerUrl: config.providerUrl,
    payee: config.payee,
    defaultVariant: config.defaultVariant,
    variants: config.variants.map((variant) => ({ id: variant.id, price: variant.price, description: variant.description ?? null })),
    healthy: health.status === 'ok',
  };
}

export function serviceRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/services',
      tag: 'services',
      access: 'key',
      summary: 'Services with their variants, prices and provider health',
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
