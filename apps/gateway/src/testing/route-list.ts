import type { GatewayDeps } from '../gateway-deps';
import type { AnyRoute } from '../http/route-spec';
import { routeTable } from '../routes/route-table';

/** Dependencies no route may touch while the table is built (only its handlers use them). */
const untouchable = new Proxy({} as GatewayDeps, {
  get: (_target, name) => {
    throw new Error(`the route table read deps.${String(name)} while it was being built`);
  },
});

/** The public API's route table, as the app mounts it: method, path, access and the zod schemas of every input. */
export function routeList(): AnyRoute[] {
  return routeTable(untouchable, () => ({}));
}

/** The names of a route's path parameters: `/agents/:id/budget` → ['id']. */
export const pathParams = (path: string): string[] => [...path.matchAll(/:([A-Za-z_]+)/g)].map((match) => match[1] ?? '');

/** A route's path with its parameters filled in (each given value is put in as is: encode it first if it needs to be). */
export const fillPath = (path: string, values: Record<string, string>): string =>
  path.replace(/:([A-Za-z_]+)/g, (_match, name: string) => values[name] ?? `missing-${name}`);

/** `post /agents/:id/pause` */
export const routeName = (route: Pick<AnyRoute, 'method' | 'path'>): string => `${route.method.toUpperCase()} ${route.path}`;
