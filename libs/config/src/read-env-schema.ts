import type { z } from 'zod';
import { ConfigError } from './config-error';

/** Reads the variables `schema` names from the environment (an empty one counts as unset); a ConfigError names each bad one. */
export function readEnvSchema<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  env: NodeJS.ProcessEnv,
): z.infer<z.ZodObject<Shape>> {
  const raw = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const result = schema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(
      result.error.issues.map((issue) => ({ source: `environment variable ${String(issue.path[0])}`, path: '', message: issue.message })),
    );
  return result.data;
}
