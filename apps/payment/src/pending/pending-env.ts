import { z } from 'zod';
import { readEnvSchema } from '@nexus/config';

export interface PendingEnv {
  /** where the driven payments' outcomes go: the policy service */
  policyUrl: string;
  /** where the driven payments' transaction events go: the logger service */
  loggerUrl: string;
  /** how often the pending driver looks at the ledger */
  driverIntervalMs: number;
}

const Schema = z.object({
  POLICY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8005'),
  LOGGER_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8007'),
  PAYMENT_PENDING_CHECK_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
});

/** The payment service's settings for driving PENDING payments to their end. */
export function loadPendingEnv(env: NodeJS.ProcessEnv = process.env): PendingEnv {
  const settings = readEnvSchema(Schema, env);
  return { policyUrl: settings.POLICY_URL, loggerUrl: settings.LOGGER_URL, driverIntervalMs: settings.PAYMENT_PENDING_CHECK_MS };
}
