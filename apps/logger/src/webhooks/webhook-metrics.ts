import { Counter, Histogram, type Registry } from 'prom-client';

export type AttemptOutcome = 'delivered' | 'failed' | 'dead';

/** What the webhook sender counts for Prometheus: attempts by how they ended, and how long they took. */
export interface WebhookMetrics {
  attempted: (outcome: AttemptOutcome, seconds: number) => void;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const attempts = new Counter({
    name: 'logger_webhook_attempts_total',
    help: 'Webhook delivery attempts: delivered (a 2xx), failed (tried again later) or dead (given up)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'logger_webhook_attempt_duration_seconds',
    help: 'How long a webhook delivery attempt took, answered or not',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  for (const outcome of ['delivered', 'failed', 'dead'] as const) attempts.inc({ outcome }, 0);
  return {
    attempted: (outcome, seconds) => {
      attempts.inc({ outcome });
      duration.observe(seconds);
    },
  };
}
