import { randomBytes } from 'node:crypto';
import { defineProvider, type ProviderBuilder } from '@nexus/provider-kit';
import { createJobStore, type JobTables } from '@nexus/stores';
import { BatchComputeInput, type BatchComputeAccepted } from '@nexus/types';
import { loadBatchEnv } from './batch-env';
import { createBatchMetrics } from './batch-metrics';
import { JobRunner } from './job-runner';
import { totalUnits } from './jobs/job-kinds';
import { jobRoutes } from './routes/job-routes';

/**
 * BATCH_COMPUTE: a paid call queues a bounded, deterministic job and answers
 * at once; workers run it in the background and `GET /jobs/:id` tells how it
 * goes. Jobs are durable: a restart resumes them.
 */
export const buildBatchCompute: ProviderBuilder = async (runtime) => {
  const settings = loadBatchEnv(runtime.env);
  const database = runtime.database<JobTables>();
  const jobs = await createJobStore(database);
  const metrics = createBatchMetrics(runtime.registry);
  // An embedded store is this process's alone (the kit locks the file): whatever was RUNNING lost its worker.
  if (database.dialect === 'sqlite') {
    const requeued = await jobs.requeueRunning(new Date());
    if (requeued > 0) runtime.logger.info('jobs interrupted by the last stop queued again', { requeued });
  }
  const runner = new JobRunner({ store: jobs, logger: runtime.logger, metrics, settings });
  runner.start();
  runtime.onShutdown(() => runner.stop());

  return defineProvider({
    serviceId: 'BATCH_COMPUTE',
    input: BatchComputeInput,
    run: async (input, context): Promise<BatchComputeAccepted> => {
      const { job, created } = await jobs.enqueue(
        {
          id: `job_${randomBytes(16).toString('hex')}`,
          paymentId: context.payment.paymentId,
          kind: input.kind,
          input: JSON.stringify(input),
          total: totalUnits(input),
        },
        new Date(),
      );
      if (created) {
        metrics.accepted(input.kind);
        context.logger.info('job queued', { jobId: job.id, kind: input.kind });
      }
      runner.wake();
      return { jobId: job.id, kind: input.kind, status: job.status, createdAt: job.createdAt.toISOString(), statusUrl: `/jobs/${job.id}` };
    },
    routes: jobRoutes(jobs),
    // a sort job carries up to 50,000 integers
    bodyLimit: '1mb',
  });
};
