import { z } from 'zod';
import { ConfigError, readEnvSchema } from '@nexus/config';

export interface WebhookSettings {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: deliver to private and loopback addresses too (tests, a local stack) */
  allowPrivateTargets: boolean;
  /** how often the worker looks for new events and due deliveries */
  pollMs: number;
  /** the wait after a first failed attempt; it doubles (with jitter) up to `retryMaxMs` */
  retryInitialMs: number;
  retryMaxMs: number;
  /** a delivery still failing this long after it was made is given up (DEAD) */
  giveUpAfterMs: number;
  /** per attempt */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowPrivateTargets: false,
  pollMs: 500,
  retryInitialMs: 1_000,
  retryMaxMs: 600_000,
  giveUpAfterMs: 24 * 3_600_000,
  timeoutMs: 10_000,
};

const Schema = z.object({
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false']).default('false'),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(DEFAULT_WEBHOOK_SETTINGS.pollMs),
  WEBHOOK_RETRY_INITIAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(DEFAULT_WEBHOOK_SETTINGS.retryInitialMs),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(DEFAULT_WEBHOOK_SETTINGS.retryMaxMs),
  WEBHOOK_GIVE_UP_HOURS: z.coerce
    .number()
    .min(0.001)
    .max(24 * 30)
    .default(24),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(DEFAULT_WEBHOOK_SETTINGS.timeoutMs),
});

/** The logger's webhook settings from its environment (an empty variable counts as unset); a ConfigError names each bad one. */
export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const settings = readEnvSchema(Schema, env);
  if (settings.WEBHOOK_RETRY_MAX_MS < settings.WEBHOOK_RETRY_INITIAL_MS)
    throw new ConfigError([
      { source: 'environment variable WEBHOOK_RETRY_MAX_MS', path: '', message: 'must not be below WEBHOOK_RETRY_INITIAL_MS' },
    ]);
  return {
    allowPrivateTargets: settings.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
    pollMs: settings.WEBHOOK_POLL_MS,
    retryInitialMs: settings.WEBHOOK_RETRY_INITIAL_MS,
    retryMaxMs: settings.WEBHOOK_RETRY_MAX_MS,
    giveUpAfterMs: Math.round(settings.WEBHOOK_GIVE_UP_HOURS * 3_600_000),
    timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
  };
}
