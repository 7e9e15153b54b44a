import { resolve } from 'node:path';
import { z } from 'zod';
import { callerDigestEnv, type ServiceCaller } from '@nexus/types';
import { ConfigError } from './config-error';

export interface ServiceEnv {
  host: string;
  port: number;
  /** This process's own bearer token (`<NAME>_TOKEN`), sent when it calls another service; no default, by design. */
  serviceToken: string;
  /** The callers this service accepts → the sha256 (hex) of each one's token (`<CALLER>_TOKEN_SHA256`). */
  callers: Map<ServiceCaller, string>;
  /** PostgreSQL URL of this service's store; SQLite under `dataDir` when absent. */
  databaseUrl: string | undefined;
  dataDir: string;
}

const Port = z.coerce.number().int().min(0).max(65_535);

export interface ServiceEnvOptions {
  /** the callers whose token hashes this service needs (a callee); each `<CALLER>_TOKEN_SHA256` is then required */
  accepts?: readonly ServiceCaller[];
}

const Token = z
  .string({ error: "is required (this process's own secret; `npm start` generates one in .env)" })
  .min(16, 'must be at least 16 characters');
const Digest = z
  .string({ error: "is required (the sha256 of that caller's token; `npm start` writes it in .env)" })
  .regex(/^[0-9a-f]{64}$/i, 'must be a sha256 in hex (64 characters)')
  .transform((value) => value.toLowerCase());

/**
 * The environment every internal service reads at start-up. `<NAME>_PORT`
 * and `<NAME>_DATABASE_URL` win over the shared `DATABASE_URL`, so one
 * environment file can describe the whole stack.
 */
export function loadServiceEnv(
  service: string,
  defaultPort: number,
  env: NodeJS.ProcessEnv = process.env,
  options: ServiceEnvOptions = {},
): ServiceEnv {
  const prefix = service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const names = {
    host: 'HOST',
    port: `${prefix}_PORT`,
    serviceToken: `${prefix}_TOKEN`,
    databaseUrl: env[`${prefix}_DATABASE_URL`] ? `${prefix}_DATABASE_URL` : 'DATABASE_URL',
    dataDir: 'NEXUS_DATA_DIR',
  } as const;
  const schema = z.object({
    host: z.string().min(1).default('127.0.0.1'),
    port: Port.default(defaultPort),
    serviceToken: Token,
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    dataDir: z.string().min(1).default('data'),
  });
  const raw = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]));
  const result = schema.safeParse(raw);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => ({
        source: `environment variable ${names[String(issue.path[0]) as keyof typeof names] ?? String(issue.path[0])}`,
        path: '',
        message: issue.message,
      }));
  const callers = new Map<ServiceCaller, string>();
  for (const caller of options.accepts ?? []) {
    const name = callerDigestEnv(caller);
    const digest = Digest.safeParse(env[name] || undefined);
    if (digest.success) callers.set(caller, digest.data);
    else
      problems.push(...digest.error.issues.map((issue) => ({ source: `environment variable ${name}`, path: '', message: issue.message })));
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return { ...result.data, callers, databaseUrl: result.data.databaseUrl, dataDir: resolve(result.data.dataDir) };
}
