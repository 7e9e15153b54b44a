import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '@nexus/service-kit';
import type { RateLimitSettings } from './rate-limit';

/**
 * Guessing keys is slow: each address may fail authentication `max` times
 * per window (missing or unknown key, 401); after that every request it makes
 * to a keyed route gets 429 until the window ends, a right key included, so
 * a guess can no longer be told right. Answers other than 401 do not count.
 * Runs before authentication; public routes are not counted nor held back.
 */
export function authFailureLimit(settings: RateLimitSettings, isPublic: (method: string, path: string) => boolean): RequestHandler {
  return rateLimit({
    windowMs: settings.windowMs,
    limit: settings.max,
    // the per-key limit after authentication sends the RateLimit headers
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => `address:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    skip: (req) => isPublic(req.method, req.path),
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: (_req, res, next, options) => {
      res.setHeader('Retry-After', String(Math.ceil(settings.windowMs / 1000)));
      next(
        new AppError(
          'RATE_LIMITED',
          429,
          `too many failed authentications from this address: at most ${String(options.limit)} per ${settings.windowMs / 1000} s`,
        ),
      );
    },
  });
}
