import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error';

export interface ServiceEnv {
  host: string;
  port: number;
  /** Bearer token internal services require; no default, by design. */
  internalToken: string;
  /** PostgreSQL URL of this service's store; SQLite under `dataDir` when absent. */
  databaseUrl: string | undefined;
  dataDir: string;
}

const Port = z.coerce.number().int().min(0).max(65_535);

/**
 * The environment every internal service reads at start-up. `<NAME>_PORT`
 * and `<NAME>_DATABASE_URL` win over the shared `DATABASE_URL`, so one
 * environment file can describe the whole stack.
 */
export function loadServiceEnv(service: string, defaultPort: number, env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const prefix = service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const names = {
    host: 'HOST',
    port: `${prefix}_PORT`,
    internalToken: 'INTERNAL_TOKEN',
    databaseUrl: env[`${prefix}_DATABASE_URL`] ? `${prefix}_DATABASE_URL` : 'DATABASE_URL',
    dataDir: 'NEXUS_DATA_DIR',
  } as const;
  const schema = z.object({
    host: z.string().min(1).default('127.0.0.1'),
    port: Port.default(defaultPort),
    internalToken: z
      .string({ error: 'is required (a shared secret between services; `npm start` generates one in .env)' })
      .min(16, 'must be at least 16 characters'),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    dataDir: z.string().min(1).default('data'),
  });
  const raw = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]));
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        source: `environment variable ${names[String(issue.path[0]) as keyof typeof names] ?? String(issue.path[0])}`,
        path: '',
        message: issue.message,
      })),
    );
  }
  return { ...result.data, databaseUrl: result.data.databaseUrl, dataDir: resolve(result.data.dataDir) };
}
