import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What BATCH_COMPUTE counts for Prometheus, beside the kit's HTTP and paywall metrics. */
export interface BatchMetrics {
  accepted: (kind: string) => void;
  /** a worker took a job up; `resumed` when an earlier worker had it */
  started: (kind: string, resumed: boolean) => void;
  finished: (kind: string, status: 'SUCCEEDED' | 'FAILED', seconds: number) => void;
  running: (count: number) => void;
}

export function createBatchMetrics(registry: Registry): BatchMetrics {
  const accepted = new Counter({
    name: 'batch_compute_jobs_accepted_total',
    help: 'Paid jobs queued, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const started = new Counter({
    name: 'batch_compute_job_starts_total',
    help: 'Jobs taken up by a worker of this replica, by kind and whether an earlier worker had them (resumed)',
    labelNames: ['kind', 'resumed'] as const,
    registers: [registry],
  });
  const finished = new Counter({
    name: 'batch_compute_jobs_finished_total',
    help: 'Jobs finished by this replica, by kind and status',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'batch_compute_job_seconds',
    help: 'Time from queueing a job to its end',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const running = new Gauge({ name: 'batch_compute_jobs_running', help: 'Jobs this replica is running now', registers: [registry] });
  return {
    accepted: (kind) => accepted.inc({ kind }),
    started: (kind, resumed) => started.inc({ kind, resumed: String(resumed) }),
    finished: (kind, status, seconds) => {
      finished.inc({ kind, status });
      duration.observe({ kind }, seconds);
    },
    running: (count) => running.set(count),
  };
}
