import { Counter, Gauge, type Registry } from 'prom-client';
import type { QueueCounts } from './outbox-queue';

export interface OutboxMetrics {
  delivered: (count: number) => void;
  failedAttempt: () => void;
  deadLettered: (count: number) => void;
}

const NO_METRICS: OutboxMetrics = { delivered: () => undefined, failedAttempt: () => undefined, deadLettered: () => undefined };

/**
 * The outbox's metrics on the app's registry: pending and dead messages
 * (read from the queue when scraped), delivered and dead-lettered messages,
 * failed attempts. One outbox per topic and registry.
 */
export function createOutboxMetrics(
  registry: Registry | undefined,
  topic: string,
  counts: () => Promise<QueueCounts | undefined>,
): OutboxMetrics {
  if (!registry) return NO_METRICS;
  const labels = { topic };
  // A scrape while the store is down keeps the last value rather than failing the whole scrape.
  let last: QueueCounts = { pending: 0, dead: 0 };
  const read = async () => {
    last = (await counts().catch(() => undefined)) ?? last;
    return last;
  };
  new Gauge({
    name: 'outbox_pending_messages',
    help: 'Messages in the outbox waiting to be delivered',
    labelNames: ['topic'] as const,
    registers: [registry],
    async collect() {
      this.set(labels, (await read()).pending);
    },
  });
  new Gauge({
    name: 'outbox_dead_messages',
    help: 'Messages the destination refused, kept in the outbox and never delivered',
    labelNames: ['topic'] as const,
    registers: [registry],
    async collect() {
      this.set(labels, (await read()).dead);
    },
  });
  const delivered = new Counter({
    name: 'outbox_delivered_total',
    help: 'Messages delivered from the outbox',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'outbox_delivery_failures_total',
    help: 'Delivery attempts that failed and will be retried',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const dead = new Counter({
    name: 'outbox_dead_lettered_total',
    help: 'Messages set aside because the destination refused them',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  return {
    delivered: (count) => delivered.inc(labels, count),
    failedAttempt: () => failures.inc(labels),
    deadLettered: (count) => dead.inc(labels, count),
  };
}
