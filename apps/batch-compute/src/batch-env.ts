import { z } from 'zod';
import { ConfigError } from '@nexus/config';

/** How this replica runs jobs. */
export interface BatchEnv {
  /** jobs this replica runs at once */
  concurrency: number;
  /** how long a worker holds a job without a heartbeat before another may take it over */
  leaseMs: number;
  /** work done between two turns of the event loop */
  sliceMs: number;
  /** how often a running job's progress and checkpoint are saved (renewing its lease, at least thrice per lease) */
  progressMs: number;
  /** how often to look for jobs beyond those this replica queued (other replicas', lost workers') */
  pollMs: number;
  /** takings of one job before it is failed (a job that keeps killing its worker) */
  maxAttempts: number;
}

const NAMES = {
  concurrency: 'BATCH_COMPUTE_CONCURRENCY',
  leaseMs: 'BATCH_COMPUTE_LEASE_MS',
  sliceMs: 'BATCH_COMPUTE_SLICE_MS',
  progressMs: 'BATCH_COMPUTE_PROGRESS_MS',
  pollMs: 'BATCH_COMPUTE_POLL_MS',
  maxAttempts: 'BATCH_COMPUTE_MAX_ATTEMPTS',
} as const;

const Count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const Schema = z.object({
  concurrency: Count(1, 64).default(2),
  leaseMs: Count(1_000, 3_600_000).default(30_000),
  sliceMs: Count(1, 1_000).default(20),
  progressMs: Count(10, 600_000).default(1_000),
  pollMs: Count(10, 60_000).default(1_000),
  maxAttempts: Count(1, 1_000).default(5),
});

/** Reads the BATCH_COMPUTE_* settings; every bad one is named at start-up. */
export function loadBatchEnv(env: NodeJS.ProcessEnv): BatchEnv {
  const raw = Object.fromEntries(Object.entries(NAMES).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]));
  const result = Schema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        source: `environment variable ${NAMES[String(issue.path[0]) as keyof typeof NAMES] ?? String(issue.path[0])}`,
        path: '',
        message: issue.message,
      })),
    );
  return result.data;
}
