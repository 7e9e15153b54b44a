import { ConfigError } from '@nexus/config';
import { loadBatchEnv } from './batch-env';

describe('batch-compute settings', () => {
  it('runs two jobs at once with a 30 s lease by default', () => {
    expect(loadBatchEnv({})).toEqual({ concurrency: 2, leaseMs: 30_000, sliceMs: 20, progressMs: 1_000, pollMs: 1_000, maxAttempts: 5 });
  });

  it('takes each setting from its variable, an empty one meaning the default', () => {
    expect(loadBatchEnv({ BATCH_COMPUTE_CONCURRENCY: '8', BATCH_COMPUTE_LEASE_MS: '5000', BATCH_COMPUTE_SLICE_MS: '' })).toMatchObject({
      concurrency: 8,
      leaseMs: 5_000,
      sliceMs: 20,
    });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadBatchEnv({ BATCH_COMPUTE_CONCURRENCY: '0', BATCH_COMPUTE_LEASE_MS: 'soon', BATCH_COMPUTE_MAX_ATTEMPTS: '1.5' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.source)).toEqual([
      'environment variable BATCH_COMPUTE_CONCURRENCY',
      'environment variable BATCH_COMPUTE_LEASE_MS',
      'environment variable BATCH_COMPUTE_MAX_ATTEMPTS',
    ]);
  });
});
