import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createSilentLogger } from '@nexus/service-kit';
import { waitFor, type WaitForOptions } from '@nexus/service-kit/testing';
import { createJobStore, openDatabase, type Database, type JobRecord, type JobStore, type JobTables } from '@nexus/stores';
import type { BatchComputeInput } from '@nexus/types';
import { createBatchMetrics } from './batch-metrics';
import { JobRunner, type JobRunnerSettings } from './job-runner';
import { totalUnits } from './jobs/job-kinds';
import { hashChainReference } from './testing/hash-chain-reference';

/** Polls often: the jobs here finish in milliseconds. */
const POLL: WaitForOptions = { timeoutMs: 25_000, intervalMs: 5 };
const SETTINGS: JobRunnerSettings = { concurrency: 2, leaseMs: 60_000, sliceMs: 5, pollMs: 50, progressMs: 10, maxAttempts: 3 };
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('the job runner', () => {
  let database: Database<JobTables>;
  let store: JobStore;
  const runners: JobRunner[] = [];

  beforeEach(async () => {
    database = openDatabase<JobTables>({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-runner-')), 'batch-compute.sqlite') });
    store = await createJobStore(database);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await database.close();
  });

  function startRunner(options: { store?: JobStore; settings?: Partial<JobRunnerSettings>; owner?: string } = {}): JobRunner {
    const runner = new JobRunner({
      store: options.store ?? store,
      logger: createSilentLogger(),
      metrics: createBatchMetrics(new Registry()),
      settings: { ...SETTINGS, ...options.settings },
      ...(options.owner ? { owner: options.owner } : {}),
    });
    runners.push(runner);
    runner.start();
    return runner;
  }

  async function enqueue(input: BatchComputeInput, raw?: string): Promise<JobRecord> {
    const { job } = await store.enqueue(
      {
        id: `job_${hex(16)}`,
        paymentId: `pay_${hex(16)}`,
        kind: input.kind,
        input: raw ?? JSON.stringify(input),
        total: totalUnits(input),
      },
      new Date(),
    );
    return job;
  }

  const finished = (id: string) =>
    waitFor(
      `job ${id} to finish`,
      async () => {
        const job = await store.get(id);
        return job && (job.status === 'SUCCEEDED' || job.status === 'FAILED') ? job : undefined;
      },
      POLL,
    );

  it('runs a queued job to its result', async () => {
    const job = await enqueue({ kind: 'primes', below: 1_000, list: false });
    startRunner();

    const done = await finished(job.id);

    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 1, progress: { done: 1_000, total: 1_000 }, error: null, lease: null });
    expect(JSON.parse(done.result ?? 'null')).toEqual({ kind: 'primes', below: 1_000, count: 168, largest: 997 });
  });

  it('takes up a job queued after it started when woken', async () => {
    const runner = startRunner({ settings: { pollMs: 60_000 } });
    const job = await enqueue({ kind: 'sort', values: [3, 1, 2], order: 'desc' });
    runner.wake();

    expect(JSON.parse((await finished(job.id)).result ?? 'null')).toEqual({ kind: 'sort', order: 'desc', count: 3, values: [3, 2, 1] });
  });

  it('never runs more jobs at once than its concurrency', async () => {
    let running = 0;
    let most = 0;
    const counting: JobStore = Object.assign(Object.create(store) as JobStore, {
      claim: async (...args: Parameters<JobStore['claim']>) => {
        const job = await store.claim(...args);
        if (job) most = Math.max(most, ++running);
        return job;
      },
      succeed: async (...args: Parameters<JobStore['succeed']>) => {
        running -= 1;
        return store.succeed(...args);
      },
    });
    const jobs = await Promise.all(
      Array.from({ length: 6 }, (_, index) => enqueue({ kind: 'hash-chain', seed: `s${index}`, iterations: 20_000 })),
    );
    startRunner({ store: counting, settings: { concurrency: 2 } });

    for (const job of jobs) await finished(job.id);

    expect(most).toBe(2);
  });

  it('saves its progress while it works, the event loop turning between slices', async () => {
    const job = await enqueue({ kind: 'hash-chain', seed: 'progress', iterations: 1_000_000 });
    startRunner();

    const midway = await waitFor(
      'progress to be saved',
      async () => {
        const current = await store.get(job.id);
        return current && current.status === 'RUNNING' && current.progress.done > 0 ? current : undefined;
      },
      POLL,
    );

    expect(midway.progress.done).toBeLessThan(1_000_000);
    expect(midway.progress.checkpoint).not.toBeNull();
    expect(midway.lease?.until.getTime()).toBeGreaterThan(Date.now());
  });

  it('hands a running job back with its checkpoint when stopped, and another runner finishes it', async () => {
    const iterations = 1_500_000;
    const job = await enqueue({ kind: 'hash-chain', seed: 'stop me', iterations });
    const first = startRunner({ owner: 'first' });
    await waitFor('progress to be saved', async () => ((await store.get(job.id))?.progress.done ?? 0) > 0, POLL);

    await first.stop();
    const handedBack = await store.get(job.id);
    expect(handedBack).toMatchObject({ status: 'QUEUED', lease: null, attempts: 1 });
    expect(handedBack?.progress.checkpoint).not.toBeNull();

    startRunner({ owner: 'second' });
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(JSON.parse(done.result ?? 'null')).toEqual({
      kind: 'hash-chain',
      iterations,
      digest: hashChainReference('stop me', iterations),
    });
  });

  it('resumes from the saved checkpoint rather than starting over', async () => {
    const job = await enqueue({ kind: 'hash-chain', seed: 'ignored', iterations: 5_000 });
    const planted = createHash('sha256').update('planted').digest();
    await store.claim('earlier', new Date(), new Date(Date.now() + 60_000));
    await store.release(
      job.id,
      'earlier',
      { done: 4_999, total: 5_000, checkpoint: JSON.stringify({ round: 4_999, digest: planted.toString('hex') }) },
      new Date(),
    );
    startRunner();

    const done = await finished(job.id);

    expect(JSON.parse(done.result ?? 'null')).toMatchObject({ digest: createHash('sha256').update(planted).digest('hex') });
  });

  it('fails a job whose stored input is not a job it runs', async () => {
    const job = await enqueue({ kind: 'sort', values: [], order: 'asc' }, '{"kind":"mine-bitcoin"}');
    startRunner();
    expect(await finished(job.id)).toMatchObject({ status: 'FAILED', error: { code: 'JOB_INPUT_INVALID' }, result: null });
  });

  it('fails a job taken up more times than allowed without finishing', async () => {
    const job = await enqueue({ kind: 'sort', values: [2, 1], order: 'asc' });
    for (let attempt = 0; attempt < SETTINGS.maxAttempts; attempt += 1) {
      await store.claim('crashing', new Date(), new Date(Date.now() + 60_000));
      await store.release(job.id, 'crashing', { done: 0, total: 1, checkpoint: null }, new Date());
    }
    startRunner();
    expect(await finished(job.id)).toMatchObject({
      status: 'FAILED',
      attempts: SETTINGS.maxAttempts + 1,
      error: { code: 'JOB_ATTEMPTS_EXHAUSTED' },
    });
  });

  it('takes nothing more once stopped', async () => {
    const runner = startRunner({ settings: { pollMs: 10 } });
    await runner.stop();
    const job = await enqueue({ kind: 'sort', values: [1], order: 'asc' });
    runner.wake();
    // Had the stopped runner claimed it (first, on the one SQLite connection), it would have handed it back: two attempts.
    const witness = startRunner({ owner: 'witness' });
    witness.wake();
    expect(await finished(job.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });
});
