import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from './app-error';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The bearer token of a request, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Every route but the public ones needs `Authorization: Bearer <INTERNAL_TOKEN>`. */
export function internalAuth(token: string, publicPaths: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (publicPaths.includes(req.path)) return next();
    const given = bearerToken(req.get('authorization'));
    if (given !== undefined && secretsEqual(given, token)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="nexus-internal"');
    next(new AppError('UNAUTHORIZED', 401, given === undefined ? 'missing bearer token' : 'invalid bearer token'));
  };
}
