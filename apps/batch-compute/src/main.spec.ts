import { randomBytes } from 'node:crypto';
import { freePort } from '@nexus/chain/testing';
import { proofHeaders, providerProcessEnv, useTestPaymentNetwork } from '@nexus/provider-kit/testing';
import { runServiceToExit, startServiceProcess, waitFor, type ServiceProcess, type WaitForOptions } from '@nexus/service-kit/testing';
import { BatchComputeAccepted, BatchJob, InvokeResponse, Quote } from '@nexus/types';
import { hashChainReference } from './testing/hash-chain-reference';

/** Polls often: the jobs here finish in milliseconds. */
const POLL: WaitForOptions = { timeoutMs: 25_000, intervalMs: 5 };

describe('batch-compute start-up', () => {
  const suite = useTestPaymentNetwork();
  const env = (extra: Record<string, string> = {}) => providerProcessEnv(suite.network, 'batch-compute', extra);

  const jobOf = async (service: ServiceProcess, jobId: string) =>
    BatchJob.parse(await (await fetch(`${service.url}/jobs/${jobId}`)).json());

  it('starts from its entry point, quotes, and stops on SIGTERM', async () => {
    const service = await startServiceProcess({ app: 'batch-compute', port: await freePort(), env: env() });
    try {
      const quote = Quote.parse(await (await fetch(`${service.url}/quote`)).json());
      expect(quote).toMatchObject({ serviceId: 'BATCH_COMPUTE', variants: [{ id: 'standard', price: '1.50' }], payment: { mode: 'mock' } });
    } finally {
      await service.stop();
    }
    expect(service.child.exitCode).toBe(0);
  });

  it('refuses to start with a bad setting, naming the variable', () => {
    const result = runServiceToExit({ app: 'batch-compute', env: env({ BATCH_COMPUTE_CONCURRENCY: '0' }) });

    expect(result.status).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toContain('environment variable BATCH_COMPUTE_CONCURRENCY');
  });

  it('resumes a job after the process is killed in the middle of it', async () => {
    const settings = env({ BATCH_COMPUTE_PROGRESS_MS: '10' });
    let service = await startServiceProcess({ app: 'batch-compute', port: await freePort(), env: settings });
    try {
      const quote = Quote.parse(await (await fetch(`${service.url}/quote`)).json());
      const grant = await suite.network.grants.issue({
        agentId: 'batch-agent',
        serviceId: quote.serviceId,
        variant: 'standard',
        amount: '1.50',
      });
      const payment = await suite.network.payments.pay({ grant, idempotencyKey: `crash-${randomBytes(8).toString('hex')}` });
      const answer = await fetch(`${service.url}/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...proofHeaders(payment) },
        body: JSON.stringify({ input: { kind: 'hash-chain', seed: 'crash', iterations: 1_000_000 } }),
      });
      expect(answer.status).toBe(200);
      const { jobId } = BatchComputeAccepted.parse(InvokeResponse.parse(await answer.json()).result);
      await waitFor(
        'the job to be under way',
        async () => {
          const job = await jobOf(service, jobId);
          return job.status === 'RUNNING' && job.progress.done > 0;
        },
        POLL,
      );

      await service.kill();
      service = await startServiceProcess({ app: 'batch-compute', port: await freePort(), env: settings });

      const job = await waitFor(
        'the job to finish',
        async () => {
          const current = await jobOf(service, jobId);
          return current.status === 'SUCCEEDED' || current.status === 'FAILED' ? current : undefined;
        },
        POLL,
      );
      expect(job).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 2,
        paymentId: payment.id,
        result: { kind: 'hash-chain', iterations: 1_000_000, digest: hashChainReference('crash', 1_000_000) },
      });
    } finally {
      await service.stop();
    }
  });
});
