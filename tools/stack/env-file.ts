import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

const secret = () => randomBytes(24).toString('hex');

/** A fresh local environment: new secrets every time, nothing copied from anywhere. */
function freshEnvFile(): string {
  return [
    "# Written by `npm start` because no .env existed. Keep it private: it holds this stack's secrets.",
    '# Every variable is described in .env.example.',
    `INTERNAL_TOKEN=${secret()}`,
    `ADMIN_API_KEY=${secret()}`,
    `AGENT_API_KEYS=user-agent:${secret()},batch-agent:${secret()},ops-agent:${secret()}`,
    `POSTGRES_PASSWORD=${secret()}`,
    'COMPOSE_PROJECT_NAME=mnee-nexus',
    'NEXUS_DATA_DIR=data',
    '',
  ].join('\n');
}

/** Reads `path`, writing a fresh one first when there is none. Values already in the environment win. */
export function loadEnvFile(path: string, environment: NodeJS.ProcessEnv = process.env): { env: Record<string, string>; created: boolean } {
  const created = !existsSync(path);
  if (created) writeFileSync(path, freshEnvFile(), { mode: 0o600 });
  const fromFile = parseEnv(readFileSync(path, 'utf8'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...fromFile, ...environment })) {
    if (typeof value === 'string') env[key] = value;
  }
  return { env, created };
}
