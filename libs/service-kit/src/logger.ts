import winston from 'winston';
import { redactSecrets } from '@nexus/types';
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

/** Strings anywhere in a log entry (a few levels deep), URLs and bearer tokens redacted. */
function redactDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redactDeep({ name: value.name, message: value.message, stack: value.stack }, depth + 1);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, depth + 1)]));
}

/** RPC and database URLs carry credentials and API keys: no log line shows them. */
const redacted = winston.format((info) => {
  for (const key of Object.keys(info)) info[key] = redactDeep(info[key], 0);
  return info;
});

/** JSON lines on stdout, one logger per service, the request id on every line logged inside a request, secrets redacted. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return winston.createLogger({
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'http',
    defaultMeta: { service },
    format: winston.format.combine(
      withRequestId(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      redacted(),
      winston.format.json(),
    ),
    transports: options.transports ?? [new winston.transports.Console()],
  });
}

/** A logger that drops everything: for tests that do not look at logs. */
export function createSilentLogger(service = 'test'): Logger {
  return winston.createLogger({ defaultMeta: { service }, silent: true, transports: [new winston.transports.Console()] });
}
