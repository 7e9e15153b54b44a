import { Counter, Histogram, type Registry } from 'prom-client';

export interface PipelineMetrics {
  calls: Counter<'service' | 'outcome'>;
  duration: Histogram<'service' | 'outcome'>;
  settleFailures: Counter<'step'>;
}

export function createPipelineMetrics(registry: Registry): PipelineMetrics {
  return {
    calls: new Counter({
      name: 'gateway_paid_calls_total',
      help: 'Paid calls by service and outcome (rejected, served, failed).',
      labelNames: ['service', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'gateway_paid_call_duration_seconds',
      help: 'Time of a paid call from decision to answer.',
      labelNames: ['service', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    settleFailures: new Counter({
      name: 'gateway_settle_failures_total',
      help: 'Commits, releases and refunds the policy or payment service did not take at the end of a call (commits and releases are then queued and retried).',
      labelNames: ['step'],
      registers: [registry],
    }),
  };
}
