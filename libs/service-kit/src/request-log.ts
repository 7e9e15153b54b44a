import type { RequestHandler } from 'express';
import type { Logger } from './logger';

/**
 * Which answered requests get a line at `http` level: `errors` (the default)
 * only 3xx, 4xx and 5xx, a 2xx at `debug`; `all` every one; `sample` one 2xx
 * in `sampleEvery` too. 4xx (warn) and 5xx (error) are always logged.
 */
export type RequestLogMode = 'all' | 'sample' | 'errors';

export const REQUEST_LOG_MODES: readonly RequestLogMode[] = ['all', 'sample', 'errors'];

export interface RequestLogOptions {
  /** `NEXUS_REQUEST_LOG` by default, else `errors` */
  mode?: RequestLogMode;
  /** in `sample` mode, one successful request in this many is logged; 100 by default */
  sampleEvery?: number;
}

const isMode = (value: string): value is RequestLogMode => (REQUEST_LOG_MODES as readonly string[]).includes(value);

/** The mode `NEXUS_REQUEST_LOG` names (`errors` when unset); throws on any other value, so a typo is seen at start. */
export function requestLogMode(env: NodeJS.ProcessEnv = process.env): RequestLogMode {
  const value = env['NEXUS_REQUEST_LOG']?.trim() || 'errors';
  if (!isMode(value)) throw new Error(`NEXUS_REQUEST_LOG must be one of ${REQUEST_LOG_MODES.join(', ')}; it is ${value}`);
  return value;
}

/**
 * One line per request: method, path (no query string: it may hold secrets),
 * status, duration. Never bodies or headers. A successful request is logged at
 * `debug` unless the mode says otherwise: on the paid call's path, where every
 * call is several internal requests, a line for each is most of the logging.
 */
export function requestLog(logger: Logger, options: RequestLogOptions = {}): RequestHandler {
  const mode = options.mode ?? requestLogMode();
  const sampleEvery = Math.max(1, Math.floor(options.sampleEvery ?? 100));
  let successes = 0;
  const successLevel = (): string => {
    if (mode === 'all') return 'http';
    if (mode === 'errors') return 'debug';
    const sampled = successes % sampleEvery === 0;
    successes += 1;
    return sampled ? 'http' : 'debug';
  };
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : status >= 300 ? 'http' : successLevel();
      // logger.log formats a line even below the level; skip that work on every request.
      if (!logger.isLevelEnabled(level)) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.log(level, 'request', {
        method: req.method,
        path: req.path,
        status,
        durationMs: Math.round(ms * 100) / 100,
      });
    });
    next();
  };
}
