import { z } from 'zod';
import { readEnvSchema } from '@nexus/config';

/** Where the policy's own events (alerts, approvals) go: the logger, through the policy's outbox. */
export interface AuditEnv {
  loggerUrl: string;
}

const Schema = z.object({
  LOGGER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8007'),
});

export function loadAuditEnv(env: NodeJS.ProcessEnv = process.env): AuditEnv {
  return { loggerUrl: readEnvSchema(Schema, env).LOGGER_URL };
}
