import type { RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, type Options } from 'express-rate-limit';
import { AppError } from '@nexus/service-kit';
import type { RateLimitSettings } from './rate-limit';

/**
 * Guessing keys is slow: each address may fail authentication `max` times
 * per window (missing or unknown key, 401); after that every request it makes
 * to a keyed route gets 429 until the window ends, a right key included, so
 * a guess can no longer be told right. Only a 401 counts, once it is sent:
 * any number of authenticated requests may be in flight at once.
 * Runs before authentication; public routes are not counted nor held back.
 */
export function authFailureLimit(settings: RateLimitSettings, isPublic: (method: string, path: string) => boolean): RequestHandler {
  // express-rate-limit's own store, fed by hand: its middleware counts every request until it ends, so a burst
  // of good requests would be held back as if they had failed.
  const failures = new MemoryStore();
  failures.init({ windowMs: settings.windowMs } as Options);
  return (req, res, next) => {
    if (isPublic(req.method, req.path)) return next();
    const key = `address:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    failures
      .get(key)
      .then((info) => {
        if (info && info.totalHits >= settings.max) {
          const resetSeconds = info.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : 1;
          res.setHeader('Retry-After', String(resetSeconds));
          return next(
            new AppError(
              'RATE_LIMITED',
              `too many failed authentications from this address: at most ${String(settings.max)} per ${settings.windowMs / 1000} s`,
            ),
          );
        }
        res.on('finish', () => {
          if (res.statusCode === 401) void failures.increment(key);
        });
        next();
      })
      .catch(next);
  };
}
