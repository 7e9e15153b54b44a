import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response, Router } from 'express';
import type { ServiceCaller } from '@nexus/types';
import { AppError } from './app-error';

/**
 * Least privilege between services (docs/architecture.md §9). Each caller has its own
 * bearer token; a service holds only the sha256 of the tokens of the callers
 * it knows (`CallerDigests`). `authenticateCallers` answers 401 to a request
 * without a known token and names the caller in `res.locals.caller`; each
 * route then declares who may call it with `acceptCallers(...)`, which
 * answers 403 FORBIDDEN_CALLER to anyone else.
 */

/** caller → hex sha256 of its token */
export type CallerDigests = ReadonlyMap<ServiceCaller, string>;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The hex sha256 of a token: what a callee holds instead of the token. */
export const tokenSha256 = (token: string): string => digest(token).toString('hex');

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The bearer token of a request, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The caller whose token hashes to `given`'s hash; every digest is compared, in constant time. */
function callerWithToken(given: string, callers: CallerDigests): ServiceCaller | undefined {
  const hash = digest(given);
  let found: ServiceCaller | undefined;
  for (const [caller, expected] of callers) {
    const known = Buffer.from(expected, 'hex');
    if (known.length === hash.length && timingSafeEqual(hash, known) && found === undefined) found = caller;
  }
  return found;
}

const unauthorized = (res: Response, message: string) => {
  res.setHeader('WWW-Authenticate', 'Bearer realm="nexus-internal"');
  return new AppError('UNAUTHORIZED', message);
};

/** Every path but the public ones needs the bearer token of a known caller; the caller's name goes to `res.locals.caller`. */
export function authenticateCallers(callers: CallerDigests, publicPaths: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (publicPaths.includes(req.path)) return next();
    const given = bearerToken(req.get('authorization'));
    if (given === undefined) return next(unauthorized(res, 'missing bearer token'));
    const caller = callerWithToken(given, callers);
    if (caller === undefined) return next(unauthorized(res, 'invalid bearer token'));
    res.locals['caller'] = caller;
    next();
  };
}

const guards = new WeakSet<RequestHandler>();

/** A route's first handler: only these callers may call it (403 FORBIDDEN_CALLER for another known caller). */
export function acceptCallers(...accepted: readonly ServiceCaller[]): RequestHandler {
  const guard: RequestHandler = (_req, res, next) => {
    const caller = res.locals['caller'] as ServiceCaller | undefined;
    if (caller !== undefined && accepted.includes(caller)) return next();
    next(new AppError('FORBIDDEN_CALLER', `${caller ?? 'an unauthenticated caller'} may not call this route`));
  };
  guards.add(guard);
  return guard;
}

/** The authenticated caller of this request (set by `authenticateCallers`). */
export function callerOf(res: Response): ServiceCaller {
  const caller = res.locals['caller'] as ServiceCaller | undefined;
  if (caller === undefined) throw new AppError('UNAUTHORIZED', 'no authenticated caller');
  return caller;
}

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: RequestHandler }[] };
}

/** Throws unless every route of `router` starts with `acceptCallers(...)`: a route that names no callers is refused at start. */
export function assertRoutesDeclareCallers(router: Router): void {
  const bare = (router.stack as RouteLayer[]).flatMap(({ route }) => {
    const first = route?.stack[0]?.handle;
    return route && !(first && guards.has(first)) ? [`${Object.keys(route.methods).join(',').toUpperCase()} ${route.path}`] : [];
  });
  if (bare.length > 0) throw new Error(`internal routes must name the callers they accept (acceptCallers): ${bare.join('; ')}`);
}
