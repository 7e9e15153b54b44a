import type { ErrorRequestHandler, RequestHandler } from 'express';
import { redactSecrets, type ErrorBody } from '@nexus/types';
import { AppError } from './app-error';
import { describeError } from './describe-error';
import type { Logger } from './logger';

/** body-parser marks its errors with a `type`; these are the caller's fault, not ours. */
function fromBodyParser(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', 'request body is not valid JSON');
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError('VALIDATION_ERROR', 'request body was incomplete');
    default:
      return undefined;
  }
}

/**
 * What Express raises for a request it cannot read before any route runs: a
 * path that is not valid percent-encoding, a body that does not inflate.
 * The caller's mistake, so a 400 in the error format.
 */
function unreadableRequest(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error) || error.status !== 400) return undefined;
  if (error instanceof URIError) return new AppError('VALIDATION_ERROR', 'the request path is not valid percent-encoding');
  if ('expose' in error && error.expose === true) return new AppError('MALFORMED_JSON', 'the request body could not be read or decoded');
  return undefined;
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
}

/** Turns a service's own kind of failure (a store that is down...) into an AppError; undefined when it is not one. */
export type ErrorMapper = (error: unknown) => AppError | undefined;

/** The one error middleware: the error body of docs/architecture.md §6, the right status, never a stack trace. */
export function errorHandler(logger: Logger, mapError: ErrorMapper = () => undefined): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const known = error instanceof AppError ? error : (fromBodyParser(error) ?? unreadableRequest(error) ?? mapError(error));
    const appError = known ?? new AppError('INTERNAL_ERROR', 'internal error', { cause: error });
    if (appError.status >= 500) logger.error('request failed', { code: appError.code, error: describeError(appError.cause ?? appError) });
    const body: ErrorBody = {
      error: {
        code: appError.code,
        // a message may carry an upstream's text (an RPC error names its URL): never its URLs or tokens
        message: redactSecrets(appError.message),
        ...(appError.details ? { details: appError.details.map((detail) => ({ ...detail, message: redactSecrets(detail.message) })) } : {}),
        requestId: typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : undefined,
      },
    };
    res.status(appError.status).json(body);
  };
}
