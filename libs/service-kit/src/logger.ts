import winston from 'winston';
import { currentRequestId } from './request-context';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  /** Extra or replacement transports (tests capture lines with a stream transport). */
  transports?: winston.transport[];
}

const withRequestId = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId && info['requestId'] === undefined) info['requestId'] = requestId;
  return info;
});

/** JSON lines on stdout, one logger per service, the request id on every line logged inside a request. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return winston.createLogger({
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'http',
    defaultMeta: { service },
    format: winston.format.combine(
      withRequestId(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: options.transports ?? [new winston.transports.Console()],
  });
}

/** A logger that drops everything: for tests that do not look at logs. */
export function createSilentLogger(service = 'test'): Logger {
  return winston.createLogger({ defaultMeta: { service }, silent: true, transports: [new winston.transports.Console()] });
}
