import request from 'supertest';
import { useProviderUnderTest, type ProviderUnderTest } from '@nexus/provider-kit/testing';
import { waitFor, type WaitForOptions } from '@nexus/service-kit/testing';
import { BatchComputeAccepted, BatchJob, ErrorBody, InvokeResponse, type BatchComputeInput } from '@nexus/types';
import { buildBatchCompute } from './build-batch-compute';
import { hashChainReference } from './testing/hash-chain-reference';

/** Saves progress often, so a test sees a running job move. */
/** Polls often: the jobs here finish in milliseconds. */
const POLL: WaitForOptions = { timeoutMs: 25_000, intervalMs: 5 };
const ENV = { BATCH_COMPUTE_PROGRESS_MS: '10', BATCH_COMPUTE_POLL_MS: '50' };

const acceptedOf = (body: unknown) => {
  const answer = InvokeResponse.parse(body);
  return { answer, accepted: BatchComputeAccepted.parse(answer.result) };
};

async function jobOf(provider: ProviderUnderTest, jobId: string): Promise<BatchJob> {
  const response = await request(provider.app).get(`/jobs/${jobId}`).expect(200);
  return BatchJob.parse(response.body);
}

const finished = (provider: ProviderUnderTest, jobId: string) =>
  waitFor(
    `job ${jobId} to finish`,
    async () => {
      const job = await jobOf(provider, jobId);
      return job.status === 'SUCCEEDED' || job.status === 'FAILED' ? job : undefined;
    },
    POLL,
  );

/** Pays for one job, submits it and checks the immediate answer. */
async function submit(provider: ProviderUnderTest, input: BatchComputeInput | Record<string, unknown>) {
  const { payment, headers } = await provider.pay();
  const response = await request(provider.app).post('/invoke').set(headers).send({ input }).expect(200);
  const { answer, accepted } = acceptedOf(response.body);
  expect(answer).toMatchObject({ serviceId: 'BATCH_COMPUTE', variant: 'standard', payment: { paymentId: payment.id, amount: '1.50' } });
  expect(accepted).toMatchObject({ status: 'QUEUED', statusUrl: `/jobs/${accepted.jobId}` });
  return { payment, accepted };
}

describe('BATCH_COMPUTE paid in mock mode', () => {
  const provider = useProviderUnderTest(buildBatchCompute, { serviceId: 'BATCH_COMPUTE', env: ENV });

  it('queues a paid job, answers at once, and reports its result for free once it is done', async () => {
    const { payment, accepted } = await submit(provider, { kind: 'primes', below: 100_000, list: true });

    const job = await finished(provider, accepted.jobId);

    expect(job).toMatchObject({
      jobId: accepted.jobId,
      kind: 'primes',
      status: 'SUCCEEDED',
      paymentId: payment.id,
      progress: { done: 100_000, total: 100_000 },
      attempts: 1,
      createdAt: accepted.createdAt,
      error: null,
      result: { kind: 'primes', below: 100_000, count: 9_592, largest: 99_991 },
    });
    expect(job.startedAt).not.toBeNull();
    expect(Date.parse(job.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(job.startedAt ?? ''));
    expect(job.result?.kind === 'primes' && job.result.primes?.slice(0, 5)).toEqual([2, 3, 5, 7, 11]);
  });

  it('runs a hash chain to the digest anyone can recompute', async () => {
    const { accepted } = await submit(provider, { kind: 'hash-chain', seed: 'nexus', iterations: 12_345 });
    expect((await finished(provider, accepted.jobId)).result).toEqual({
      kind: 'hash-chain',
      iterations: 12_345,
      digest: hashChainReference('nexus', 12_345),
    });
  });

  it('raises a matrix to a power modulo a number', async () => {
    const { accepted } = await submit(provider, {
      kind: 'matrix-power',
      matrix: [
        [1, 1],
        [1, 0],
      ],
      power: 50,
      modulus: 1_000_000_007,
    });
    // F(51), F(50), F(49)
    expect((await finished(provider, accepted.jobId)).result).toEqual({
      kind: 'matrix-power',
      power: 50,
      modulus: 1_000_000_007,
      matrix: [
        [20_365_011_074 % 1_000_000_007, 12_586_269_025 % 1_000_000_007],
        [12_586_269_025 % 1_000_000_007, 7_778_742_049 % 1_000_000_007],
      ],
    });
  });

  it('sorts a submitted array of 50,000 integers', async () => {
    const values = Array.from({ length: 50_000 }, (_, i) => ((i * 7_919) % 50_021) - 25_000);
    const { accepted } = await submit(provider, { kind: 'sort', values, order: 'desc' });
    expect((await finished(provider, accepted.jobId)).result).toEqual({
      kind: 'sort',
      order: 'desc',
      count: 50_000,
      values: [...values].sort((a, b) => b - a),
    });
  });

  it('answers bad input with 400 and every problem, without asking for payment', async () => {
    const hash = await provider.invoke({ input: { kind: 'hash-chain', seed: 'x', iterations: 5_000_001, extra: 1 } }).expect(400);
    expect(ErrorBody.parse(hash.body).error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(hash.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['body.input', 'body.input.iterations']);

    const listing = await provider.invoke({ input: { kind: 'primes', below: 200_000, list: true } }).expect(400);
    expect(listing.body.error.details).toEqual([{ path: 'body.input.list', message: expect.stringContaining('100000') }]);

    const matrix = await provider.invoke({ input: { kind: 'matrix-power', matrix: [[1, 2], [3]], power: 2, modulus: 7 } }).expect(400);
    expect(matrix.body.error.details).toEqual([{ path: 'body.input.matrix', message: expect.stringContaining('square') }]);

    const unknown = await provider.invoke({ input: { kind: 'mine-bitcoin' } }).expect(400);
    expect(unknown.body.error.details[0].path).toBe('body.input.kind');
    // Too many values: a body that large is not read without a payment (413); the free precheck reads it and says why.
    const oversized = { input: { kind: 'sort', values: Array.from({ length: 50_001 }, () => 1) } };
    await provider.invoke(oversized).expect(413);
    const checked = await request(provider.app).post('/precheck').send(oversized).expect(400);
    expect(checked.body.error.details[0].path).toBe('body.input.values');
  });

  it('refuses an oversized job before taking the payment, which then pays for one that fits', async () => {
    const { payment, headers } = await provider.pay();
    await provider.invoke({ input: { kind: 'primes', below: 20_000_001 } }, headers).expect(400);
    expect(await provider.redemptions.get(payment.id)).toBeUndefined();

    const served = await provider.invoke({ input: { kind: 'primes', below: 20_000_000 } }, headers).expect(200);
    expect(acceptedOf(served.body).answer.payment.paymentId).toBe(payment.id);
  });

  it('answers 404 JOB_NOT_FOUND for an unknown job and 400 for what is no job id', async () => {
    const missing = await request(provider.app)
      .get(`/jobs/job_${'0'.repeat(32)}`)
      .expect(404);
    const malformed = await request(provider.app).get('/jobs/42').expect(400);

    expect(ErrorBody.parse(missing.body).error.code).toBe('JOB_NOT_FOUND');
    expect(ErrorBody.parse(malformed.body).error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'params.id' }] });
  });

  it('counts its jobs in its metrics and reports healthy', async () => {
    await request(provider.app).get('/health').expect(200);
    const metrics = await request(provider.app).get('/metrics').expect(200);

    expect(metrics.text).toMatch(/batch_compute_jobs_accepted_total\{kind="primes",service="batch-compute"\} [1-9]/);
    expect(metrics.text).toMatch(/batch_compute_jobs_finished_total\{kind="sort",status="SUCCEEDED",service="batch-compute"\} 1/);
  });

  it('finishes a job interrupted by a restart, resumed on the same data directory, with the right result', async () => {
    const iterations = 1_000_000;
    const { accepted } = await submit(provider, { kind: 'hash-chain', seed: 'restart', iterations });
    const running = await waitFor(
      'the job to be under way',
      async () => {
        const job = await jobOf(provider, accepted.jobId);
        return job.status === 'RUNNING' && job.progress.done > 0 ? job : undefined;
      },
      POLL,
    );
    expect(running.progress.done).toBeLessThan(iterations);

    await provider.restart();

    const job = await finished(provider, accepted.jobId);
    expect(job).toMatchObject({ status: 'SUCCEEDED', attempts: 2, startedAt: running.startedAt });
    expect(job.result).toEqual({ kind: 'hash-chain', iterations, digest: hashChainReference('restart', iterations) });
  });
});

describe('BATCH_COMPUTE on PostgreSQL', () => {
  const provider = useProviderUnderTest(buildBatchCompute, { serviceId: 'BATCH_COMPUTE', postgres: 'nexus_batch', env: ENV });

  it('queues and runs a paid job with its store on PostgreSQL', async () => {
    const { accepted } = await submit(provider, { kind: 'primes', below: 1_000_000 });
    expect((await finished(provider, accepted.jobId)).result).toEqual({
      kind: 'primes',
      below: 1_000_000,
      count: 78_498,
      largest: 999_983,
    });
  });
});

describe('BATCH_COMPUTE paid on a local chain', () => {
  const provider = useProviderUnderTest(buildBatchCompute, { serviceId: 'BATCH_COMPUTE', mode: 'chain', env: ENV, timeoutMs: 120_000 });

  it('runs a job paid through the router, proven by its transaction', async () => {
    const { payment, accepted } = await submit(provider, { kind: 'sort', values: [5, -2, 9, 0], order: 'asc' });

    expect(payment.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await finished(provider, accepted.jobId)).toMatchObject({
      status: 'SUCCEEDED',
      paymentId: payment.id,
      result: { kind: 'sort', values: [-2, 0, 5, 9] },
    });
  });
});
