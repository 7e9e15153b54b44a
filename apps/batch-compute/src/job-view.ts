import type { JobRecord } from '@nexus/stores';
import { BatchJobKind, BatchJobResult, type BatchJob } from '@nexus/types';

/** A stored job as `GET /jobs/:id` shows it. */
export function toBatchJob(job: JobRecord): BatchJob {
  return {
    jobId: job.id,
    kind: BatchJobKind.parse(job.kind),
    status: job.status,
    paymentId: job.paymentId,
    progress: { done: job.progress.done, total: job.progress.total },
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    result: job.status === 'SUCCEEDED' && job.result !== null ? BatchJobResult.parse(JSON.parse(job.result)) : null,
    error: job.error,
  };
}
