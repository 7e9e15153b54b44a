export { AppError, type AppErrorOptions, conflict, ERROR_STATUS, notFound, validationError } from './app-error';
export { createServiceApp, type ServiceAppOptions } from './create-service-app';
export { describeError } from './describe-error';
export type { ErrorMapper } from './error-handler';
export { type HealthCheck, type HealthReport, healthRoute } from './health';
export { newId } from './ids';
export {
  acceptCallers,
  assertRoutesDeclareCallers,
  authenticateCallers,
  bearerToken,
  type CallerDigests,
  callerOf,
  secretsEqual,
  tokenSha256,
} from './caller-auth';
export { createLogger, createSilentLogger, type Logger, type LoggerOptions } from './logger';
export { currentRequestId, requestContext, type RequestContext } from './request-context';
export { REQUEST_LOG_MODES, requestLogMode, type RequestLogMode, type RequestLogOptions } from './request-log';
export { type RunningService, serve, type ServeOptions } from './serve';
export { runService, type LoadedSettings, type RunServiceOptions, type ServiceRoot } from './run-service';
export { type InputSource, parseInput } from './validate';
export { safeErrorText } from './safe-error-text';
