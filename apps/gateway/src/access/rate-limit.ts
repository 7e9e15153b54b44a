import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '@nexus/service-kit';
import { callerName, callerOf } from './caller';

export interface RateLimitSettings {
  /** requests per window and key */
  max: number;
  windowMs: number;
}

/**
 * A fixed-window limit per key (per address for calls without one), with the
 * standard RateLimit headers; over it, a 429 in the error format. Runs after
 * authentication, so a key's budget is its own wherever it calls from.
 */
export function rateLimitPerKey(settings: RateLimitSettings): RequestHandler {
  return rateLimit({
    windowMs: settings.windowMs,
    limit: settings.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const caller = callerOf(res);
      return caller ? callerName(caller) : `address:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req, _res, next, options) => {
      next(new AppError('RATE_LIMITED', `too many requests: at most ${String(options.limit)} per ${settings.windowMs / 1000} s per key`));
    },
  });
}
