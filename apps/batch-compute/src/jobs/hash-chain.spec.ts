import { drain } from '../testing/drain-work';
import { hashChainReference } from '../testing/hash-chain-reference';
import { HASH_ROUNDS_PER_STEP, hashChain } from './hash-chain';

describe('hash-chain jobs', () => {
  it('hashes the seed once for one iteration (the sha256 test vector of "abc")', () => {
    const { steps, result } = drain(hashChain({ kind: 'hash-chain', seed: 'abc', iterations: 1 }, null));
    expect(steps).toEqual([]);
    expect(result).toEqual({
      kind: 'hash-chain',
      iterations: 1,
      digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
  });

  it('chains the raw digests, yielding its rounds and the digest so far every step', () => {
    const iterations = 2 * HASH_ROUNDS_PER_STEP + 7;
    const { steps, result } = drain(hashChain({ kind: 'hash-chain', seed: 'n\u00e9xus', iterations }, null));

    expect(result.digest).toBe(hashChainReference('n\u00e9xus', iterations));
    expect(steps.map((step) => step.done)).toEqual([HASH_ROUNDS_PER_STEP, 2 * HASH_ROUNDS_PER_STEP]);
    expect(steps[0]?.checkpoint).toEqual({ round: HASH_ROUNDS_PER_STEP, digest: hashChainReference('n\u00e9xus', HASH_ROUNDS_PER_STEP) });
  });

  it('resumes from a checkpoint to the same digest as an uninterrupted run', () => {
    const job = { kind: 'hash-chain', seed: 'resume', iterations: 3 * HASH_ROUNDS_PER_STEP + 1 } as const;
    const first = hashChain(job, null);
    first.next();
    const checkpoint = first.next().value;
    if (!('checkpoint' in checkpoint)) throw new Error('a step was expected');

    const resumed = drain(hashChain(job, JSON.parse(JSON.stringify(checkpoint.checkpoint))));

    expect(resumed.steps.map((step) => step.done)).toEqual([3 * HASH_ROUNDS_PER_STEP]);
    expect(resumed.result.digest).toBe(hashChainReference('resume', job.iterations));
  });

  it('starts over when the checkpoint does not fit the job', () => {
    const job = { kind: 'hash-chain', seed: 'x', iterations: 10 } as const;
    const beyond = drain(hashChain(job, { round: 50, digest: 'ab'.repeat(32) }));
    const garbage = drain(hashChain(job, { round: 'five' }));
    expect(beyond.result.digest).toBe(hashChainReference('x', 10));
    expect(garbage.result.digest).toBe(hashChainReference('x', 10));
  });
});
