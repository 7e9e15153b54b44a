import type { RequestHandler } from 'express';
import type { Logger } from './logger';

/** One line per request: method, path (no query string: it may hold secrets), status, duration. Never bodies or headers. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'http';
      // logger.log formats a line even below the level; skip that work on every request.
      if (!logger.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.log(level, 'request', {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round(ms * 100) / 100,
      });
    });
    next();
  };
}
