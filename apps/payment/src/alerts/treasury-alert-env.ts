import { z } from 'zod';
import { readEnvSchema } from '@nexus/config';

const Schema = z.object({
  PAYMENT_TREASURY_CHECK_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
});

/** How often the payment service reads the treasury's balance for the treasury_low alert. */
export function loadTreasuryCheckMs(env: NodeJS.ProcessEnv = process.env): number {
  return readEnvSchema(Schema, env).PAYMENT_TREASURY_CHECK_MS;
}
