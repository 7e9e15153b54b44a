import { BATCH_LIMITS, BatchComputeInput } from './batch-compute';

const problems = (input: unknown) => {
  const result = BatchComputeInput.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('batch job inputs', () => {
  it('fills in the defaults of each kind', () => {
    expect(BatchComputeInput.parse({ kind: 'primes', below: 10 })).toEqual({ kind: 'primes', below: 10, list: false });
    expect(BatchComputeInput.parse({ kind: 'sort', values: [2, 1] })).toEqual({ kind: 'sort', values: [2, 1], order: 'asc' });
  });

  it('takes each kind up to its limit and not beyond', () => {
    expect(problems({ kind: 'hash-chain', seed: '', iterations: BATCH_LIMITS.hashChainMaxIterations })).toEqual([]);
    expect(problems({ kind: 'hash-chain', seed: '', iterations: BATCH_LIMITS.hashChainMaxIterations + 1 })).toEqual(['iterations']);
    expect(problems({ kind: 'primes', below: BATCH_LIMITS.primesMaxBelow + 1 })).toEqual(['below']);
    expect(problems({ kind: 'primes', below: BATCH_LIMITS.primesListMaxBelow, list: true })).toEqual([]);
    expect(problems({ kind: 'primes', below: BATCH_LIMITS.primesListMaxBelow + 1, list: true })).toEqual(['list']);
    const size = BATCH_LIMITS.matrixMaxSize + 1;
    const big = Array.from({ length: size }, () => Array.from({ length: size }, () => 1));
    expect(problems({ kind: 'matrix-power', matrix: big, power: 2, modulus: 7 })).toContain('matrix');
    expect(problems({ kind: 'matrix-power', matrix: [[1]], power: 2, modulus: BATCH_LIMITS.matrixMaxModulus + 1 })).toEqual(['modulus']);
    expect(problems({ kind: 'sort', values: Array.from({ length: BATCH_LIMITS.sortMaxValues + 1 }, () => 0) })).toEqual(['values']);
  });

  it('refuses a matrix that is not square, fractions, unknown kinds and unknown fields', () => {
    expect(problems({ kind: 'matrix-power', matrix: [[1, 2], [3]], power: 2, modulus: 7 })).toEqual(['matrix']);
    expect(problems({ kind: 'sort', values: [1.5] })).toEqual(['values.0']);
    expect(problems({ kind: 'factor', n: 15 })).toEqual(['kind']);
    expect(problems({ kind: 'sort', values: [], extra: true })).toEqual(['']);
  });
});
