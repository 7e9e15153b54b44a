import { z } from 'zod';
import { readEnvSchema } from '@nexus/config';

/** How the chain settler sends payments: many in one payBatch transaction, or one transaction each. */
export interface SettlementEnv {
  mode: 'batch' | 'single';
  /** how long the first payment of a batch waits for others */
  windowMs: number;
  /** a batch goes as soon as it holds this many payments */
  maxPayments: number;
}

const Schema = z.object({
  PAYMENT_SETTLEMENT: z.enum(['batch', 'single']).default('batch'),
  PAYMENT_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(5_000).default(50),
  PAYMENT_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(100),
});

/** The payment service's chain settlement settings (chain mode only; mock mode settles nothing on chain). */
export function loadSettlementEnv(env: NodeJS.ProcessEnv = process.env): SettlementEnv {
  const settings = readEnvSchema(Schema, env);
  return { mode: settings.PAYMENT_SETTLEMENT, windowMs: settings.PAYMENT_BATCH_WINDOW_MS, maxPayments: settings.PAYMENT_BATCH_MAX };
}
