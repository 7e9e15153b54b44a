import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describeError, type Logger } from '@nexus/service-kit';
import type { JobProgress, JobRecord, JobStore } from '@nexus/stores';
import { BatchComputeInput, type BatchJobResult } from '@nexus/types';
import type { BatchEnv } from './batch-env';
import type { BatchMetrics } from './batch-metrics';
import { startWork } from './jobs/job-kinds';
import type { JobStep } from './jobs/job-work';

export type JobRunnerSettings = Pick<BatchEnv, 'concurrency' | 'leaseMs' | 'sliceMs' | 'pollMs' | 'progressMs' | 'maxAttempts'>;

export interface JobRunnerOptions {
  store: JobStore;
  logger: Logger;
  metrics: BatchMetrics;
  settings: JobRunnerSettings;
  /** names this worker in leases; unique per process by default */
  owner?: string;
}

type SliceOutcome = { kind: 'step' } | { kind: 'done'; result: BatchJobResult } | { kind: 'broken'; message: string };

/** The input a job was queued with, or undefined when the stored JSON no longer parses as one. */
function jobInput(job: JobRecord): BatchComputeInput | undefined {
  try {
    const parsed = BatchComputeInput.safeParse(JSON.parse(job.input));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function checkpointOf(job: JobRecord): unknown {
  if (job.progress.checkpoint === null) return null;
  try {
    return JSON.parse(job.progress.checkpoint);
  } catch {
    return null;
  }
}

/**
 * Runs queued jobs in the background, `concurrency` at a time: takes each by
 * a lease (so no two workers, on any replica, run one job), works in slices
 * of `sliceMs` between turns of the event loop (so the HTTP server keeps
 * answering), saves progress and a checkpoint every `progressMs` (renewing the
 * lease), and on stop hands unfinished jobs back to the queue to be resumed.
 */
export class JobRunner {
  private readonly owner: string;
  private readonly active = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private stopping = false;

  constructor(private readonly options: JobRunnerOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Starts taking jobs: now, whenever `wake()` says there is one, and every `pollMs` for other replicas' or lost workers' jobs. */
  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.settings.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for work now (a job was just queued, or a worker became free). */
  wake(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => (this.pumping = undefined));
  }

  /** Takes no more jobs, hands the running ones back (checkpointed) at their next slice, and waits for that. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.pumping;
    await Promise.allSettled([...this.active]);
  }

  private async pump(): Promise<void> {
    const { store, settings, logger } = this.options;
    try {
      do {
        this.again = false;
        while (!this.stopping && this.active.size < settings.concurrency) {
          const now = new Date();
          const job = await store.claim(this.owner, now, new Date(now.getTime() + settings.leaseMs));
          if (!job) break;
          this.track(job);
        }
      } while (this.again && !this.stopping && this.active.size < settings.concurrency);
    } catch (error: unknown) {
      logger.warn('could not take up queued jobs; trying again later', { error: describeError(error) });
    }
  }

  private track(job: JobRecord): void {
    const run: Promise<void> = this.execute(job).finally(() => {
      this.active.delete(run);
      this.options.metrics.running(this.active.size);
      this.wake();
    });
    this.active.add(run);
    this.options.metrics.running(this.active.size);
  }

  private async execute(job: JobRecord): Promise<void> {
    const { store, settings, metrics } = this.options;
    const logger = this.options.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    try {
      const input = jobInput(job);
      if (!input) return await this.fail(job, logger, 'JOB_INPUT_INVALID', 'the stored input is not a job this provider runs');
      if (job.attempts > settings.maxAttempts)
        return await this.fail(job, logger, 'JOB_ATTEMPTS_EXHAUSTED', `taken up ${job.attempts - 1} times without finishing`);
      metrics.started(job.kind, job.attempts > 1);
      logger.info(job.attempts > 1 ? 'job resumed' : 'job started', { done: job.progress.done, total: job.progress.total });

      const work = startWork(input, checkpointOf(job));
      let last: JobStep = { done: job.progress.done, checkpoint: checkpointOf(job) };
      const progress = (): JobProgress => ({
        done: last.done,
        total: job.progress.total,
        checkpoint: last.checkpoint === null ? null : JSON.stringify(last.checkpoint),
      });
      let saved = performance.now();
      for (;;) {
        if (this.stopping) {
          await store.release(job.id, this.owner, progress(), new Date());
          logger.info('job handed back for a later worker', { done: last.done, total: job.progress.total });
          return;
        }
        const outcome = this.slice(work, (step) => (last = step));
        switch (outcome.kind) {
          case 'broken':
            return await this.fail(job, logger, 'JOB_FAILED', outcome.message);
          case 'done': {
            if (await store.succeed(job.id, this.owner, JSON.stringify(outcome.result), new Date())) {
              metrics.finished(job.kind, 'SUCCEEDED', (Date.now() - job.createdAt.getTime()) / 1000);
              logger.info('job succeeded');
            } else logger.warn('job finished after another worker took it over; its result was not written');
            return;
          }
          case 'step':
            break;
        }
        if (performance.now() - saved >= Math.min(settings.progressMs, settings.leaseMs / 3)) {
          const now = new Date();
          if (!(await store.heartbeat(job.id, this.owner, progress(), now, new Date(now.getTime() + settings.leaseMs)))) {
            logger.warn('another worker took the job over; leaving it');
            return;
          }
          saved = performance.now();
        }
        await nextTurn();
      }
    } catch (error: unknown) {
      // The store failed us: the job keeps its lease until it runs out, then a worker resumes it from its last checkpoint.
      logger.warn('job left to a later worker: the store did not answer', { error: describeError(error) });
    }
  }

  /** Works until the slice's time is up or the job ends; a throw from the work is the job's failure, not the runner's. */
  private slice(work: ReturnType<typeof startWork>, onStep: (step: JobStep) => void): SliceOutcome {
    const end = performance.now() + this.options.settings.sliceMs;
    try {
      do {
        const next = work.next();
        if (next.done) return { kind: 'done', result: next.value };
        onStep(next.value);
      } while (performance.now() < end);
      return { kind: 'step' };
    } catch (error: unknown) {
      return { kind: 'broken', message: error instanceof Error ? error.message : String(error) };
    }
  }

  private async fail(job: JobRecord, logger: Logger, code: string, message: string): Promise<void> {
    if (await this.options.store.fail(job.id, this.owner, { code, message }, new Date())) {
      this.options.metrics.finished(job.kind, 'FAILED', (Date.now() - job.createdAt.getTime()) / 1000);
      logger.error('job failed', { code, message });
    }
  }
}
