import type { Request, Response, Router } from 'express';
import { AppError, parseInput } from '@nexus/service-kit';
import { callerOf } from '../access/caller';
import { NoInput, type AnyRoute } from './route-spec';

/** Express path → OpenAPI path: `/agents/:id` → `/agents/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

/** Mounts the route table: access check, then every input validated with its schema, then the handler. */
export function mountRoutes(router: Router, routes: readonly AnyRoute[]): void {
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const caller = callerOf(res);
      if (route.access === 'admin' && caller?.kind !== 'admin') throw new AppError('FORBIDDEN', 'this needs the admin key');
      const input = {
        params: parseInput(route.params ?? NoInput, req.params, 'params'),
        query: parseInput(route.query ?? NoInput, req.query, 'query'),
        body: route.body ? parseInput(route.body, req.body, 'body') : undefined,
        headers: route.headers ? parseInput(route.headers, req.headers, 'headers') : {},
        caller,
        requestId: typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : undefined,
      };
      const result = await route.handle(input);
      if (result.pipe) return result.pipe(res);
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      res.status(result.status ?? 200).json(result.body);
    });
  }
}
