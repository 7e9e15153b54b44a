import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { JobStore, NewJob } from './job-store';
import type { JobTables } from './job-tables';
import { createJobStore } from './sql-job-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return { id: `job_${hex(16)}`, paymentId: `pay_${hex(16)}`, kind: 'hash-chain', input: '{"seed":"a"}', total: 1_000, ...overrides };
}

const progress = (done: number, checkpoint: string | null = null) => ({ done, total: 1_000, checkpoint });

describe.each(['sqlite', 'postgres'] as const)('jobs on %s', (dialect) => {
  let database: Database<JobTables>;
  let store: JobStore;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_jobs') : undefined;
    database = openDatabase<JobTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-jobs-')), 'batch-compute.sqlite') },
    );
    store = await createJobStore(database);
  });
  afterEach(async () => {
    await database.close();
    await postgres?.drop();
  });

  it('queues one job per payment and hands back the first on a second enqueue', async () => {
    const first = await store.enqueue(newJob({ paymentId: 'pay_same' }), T0);
    const again = await store.enqueue(newJob({ paymentId: 'pay_same', kind: 'sort' }), at(5));

    expect(first).toMatchObject({
      created: true,
      job: { status: 'QUEUED', kind: 'hash-chain', progress: { done: 0, total: 1_000 }, attempts: 0, lease: null, startedAt: null },
    });
    expect(again).toEqual({ created: false, job: first.job });
    expect(await store.get(first.job.id)).toEqual(first.job);
    expect(await store.get(`job_${hex(16)}`)).toBeUndefined();
  });

  it('claims the oldest queued job first and records who runs it until when', async () => {
    const older = await store.enqueue(newJob(), T0);
    await store.enqueue(newJob(), at(1));

    const claimed = await store.claim('worker-a', at(10), at(1_010));

    expect(claimed).toMatchObject({
      id: older.job.id,
      status: 'RUNNING',
      attempts: 1,
      lease: { owner: 'worker-a', until: at(1_010) },
      startedAt: at(10),
    });
  });

  it('has nothing to claim when every job is running under a live lease or finished', async () => {
    const { job } = await store.enqueue(newJob(), T0);
    await store.claim('worker-a', T0, at(1_000));
    expect(await store.claim('worker-b', at(500), at(1_500))).toBeUndefined();

    await store.succeed(job.id, 'worker-a', '{"ok":true}', at(600));
    expect(await store.claim('worker-b', at(5_000), at(6_000))).toBeUndefined();
  });

  it('lets another worker take a running job whose lease ran out, and only the new holder finishes it', async () => {
    const { job } = await store.enqueue(newJob(), T0);
    await store.claim('worker-a', T0, at(1_000));

    const taken = await store.claim('worker-b', at(1_001), at(2_000));
    expect(taken).toMatchObject({ id: job.id, attempts: 2, lease: { owner: 'worker-b' }, startedAt: T0 });

    expect(await store.heartbeat(job.id, 'worker-a', progress(10), at(1_100), at(3_000))).toBe(false);
    expect(await store.succeed(job.id, 'worker-a', '{"by":"a"}', at(1_200))).toBe(false);
    expect(await store.fail(job.id, 'worker-a', { code: 'X', message: 'x' }, at(1_200))).toBe(false);
    expect(await store.succeed(job.id, 'worker-b', '{"by":"b"}', at(1_300))).toBe(true);
    expect(await store.get(job.id)).toMatchObject({ status: 'SUCCEEDED', result: '{"by":"b"}', lease: null, finishedAt: at(1_300) });
  });

  it('saves progress and a checkpoint with each heartbeat and keeps the lease alive', async () => {
    const { job } = await store.enqueue(newJob(), T0);
    await store.claim('worker-a', T0, at(1_000));

    expect(await store.heartbeat(job.id, 'worker-a', progress(400, '{"at":400}'), at(900), at(1_900))).toBe(true);

    expect(await store.claim('worker-b', at(1_500), at(2_500))).toBeUndefined();
    expect(await store.get(job.id)).toMatchObject({
      status: 'RUNNING',
      progress: { done: 400, total: 1_000, checkpoint: '{"at":400}' },
      lease: { owner: 'worker-a', until: at(1_900) },
    });
  });

  it('gives a released job back to the queue with its checkpoint, for the next worker to resume', async () => {
    const { job } = await store.enqueue(newJob(), T0);
    await store.claim('worker-a', T0, at(60_000));

    expect(await store.release(job.id, 'worker-b', progress(1), at(5))).toBe(false);
    expect(await store.release(job.id, 'worker-a', progress(700, '{"at":700}'), at(10))).toBe(true);
    expect(await store.get(job.id)).toMatchObject({ status: 'QUEUED', lease: null, progress: { done: 700, checkpoint: '{"at":700}' } });

    const resumed = await store.claim('worker-b', at(20), at(1_020));
    expect(resumed).toMatchObject({ id: job.id, attempts: 2, progress: { done: 700, checkpoint: '{"at":700}' }, startedAt: T0 });
  });

  it('finishes a job once: a success is final, with its progress complete and the checkpoint dropped', async () => {
    const { job } = await store.enqueue(newJob(), T0);
    await store.claim('worker-a', T0, at(1_000));
    await store.heartbeat(job.id, 'worker-a', progress(999, '{"at":999}'), at(1), at(1_000));

    expect(await store.succeed(job.id, 'worker-a', '{"digest":"ab"}', at(2))).toBe(true);
    expect(await store.fail(job.id, 'worker-a', { code: 'LATE', message: 'late' }, at(3))).toBe(false);
    expect(await store.succeed(job.id, 'worker-a', '{"digest":"cd"}', at(3))).toBe(false);
    expect(await store.get(job.id)).toMatchObject({
      status: 'SUCCEEDED',
      result: '{"digest":"ab"}',
      error: null,
      progress: { done: 1_000, total: 1_000, checkpoint: null },
    });
  });

  it('records a failure with its code and message', async () => {
    const { job } = await store.enqueue(newJob(), T0);
    await store.claim('worker-a', T0, at(1_000));
    expect(await store.fail(job.id, 'worker-a', { code: 'JOB_FAILED', message: 'bad state' }, at(1))).toBe(true);
    expect(await store.get(job.id)).toMatchObject({ status: 'FAILED', error: { code: 'JOB_FAILED', message: 'bad state' }, result: null });
  });

  it('requeues every running job, leased or not, and leaves finished ones alone', async () => {
    const running = await store.enqueue(newJob(), T0);
    const done = await store.enqueue(newJob(), at(1));
    const waiting = await store.enqueue(newJob(), at(2));
    await store.claim('worker-a', at(3), at(60_000));
    await store.claim('worker-a', at(3), at(60_000));
    await store.succeed(done.job.id, 'worker-a', '{}', at(4));

    expect(await store.requeueRunning(at(5))).toBe(1);
    expect(await store.get(running.job.id)).toMatchObject({ status: 'QUEUED', lease: null });
    expect(await store.get(done.job.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await store.get(waiting.job.id)).toMatchObject({ status: 'QUEUED' });
    expect(await store.countByStatus()).toEqual({ QUEUED: 2, RUNNING: 0, SUCCEEDED: 1, FAILED: 0 });
  });

  it('hands each of 12 jobs to exactly one of 30 racing claims', async () => {
    const jobs = await Promise.all(Array.from({ length: 12 }, (_, index) => store.enqueue(newJob(), at(index))));
    const claims = await Promise.all(Array.from({ length: 30 }, (_, index) => store.claim(`worker-${index}`, at(100), at(10_000))));

    const taken = claims.flatMap((claim) => (claim ? [claim.id] : []));
    expect(taken.sort()).toEqual(jobs.map(({ job }) => job.id).sort());
  });
});

describe('jobs on one PostgreSQL shared by two replicas', () => {
  let postgres: TemporaryPostgres;
  let replicas: Database<JobTables>[];

  beforeAll(async () => {
    postgres = await createTemporaryPostgres('nexus_jobs');
    replicas = [openDatabase<JobTables>({ databaseUrl: postgres.url }), openDatabase<JobTables>({ databaseUrl: postgres.url })];
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await postgres.drop();
  });

  it('never gives one job to both replicas, and leaves none behind while claims remain', async () => {
    const [a, b] = await Promise.all(replicas.map((replica) => createJobStore(replica)));
    if (!a || !b) throw new Error('two replicas expected');
    const jobs = await Promise.all(Array.from({ length: 40 }, (_, index) => a.enqueue(newJob(), at(index))));

    const claims = await Promise.all(
      Array.from({ length: 25 }, (_, index) => [
        a.claim(`a-${index}`, at(100), at(10_000)),
        b.claim(`b-${index}`, at(100), at(10_000)),
      ]).flat(),
    );

    const taken = claims.flatMap((claim) => (claim ? [claim.id] : []));
    expect(taken).toHaveLength(40);
    expect(new Set(taken).size).toBe(40);
    expect(new Set(taken)).toEqual(new Set(jobs.map(({ job }) => job.id)));
  });
});
