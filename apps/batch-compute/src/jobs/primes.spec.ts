import { drain } from '../testing/drain-work';
import { PRIMES_SEGMENT, primes } from './primes';

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d += 1) if (n % d === 0) return false;
  return true;
}

const job = (below: number, { list = false }: { list?: boolean } = {}) => ({ kind: 'primes', below, list }) as const;

describe('primes jobs', () => {
  it('lists the primes below small bounds', () => {
    expect(drain(primes(job(2, { list: true }), null)).result).toEqual({ kind: 'primes', below: 2, count: 0, largest: null, primes: [] });
    expect(drain(primes(job(3, { list: true }), null)).result).toEqual({ kind: 'primes', below: 3, count: 1, largest: 2, primes: [2] });
    expect(drain(primes(job(30, { list: true }), null)).result).toEqual({
      kind: 'primes',
      below: 30,
      count: 10,
      largest: 29,
      primes: [2, 3, 5, 7, 11, 13, 17, 19, 23, 29],
    });
  });

  it('counts the 78,498 primes below a million, one segment per step, without listing them', () => {
    const { steps, result } = drain(primes(job(1_000_000), null));
    expect(result).toEqual({ kind: 'primes', below: 1_000_000, count: 78_498, largest: 999_983 });
    expect(steps).toHaveLength(Math.ceil((1_000_000 - 2) / PRIMES_SEGMENT) - 1);
    expect(steps[0]).toEqual({ done: 2 + PRIMES_SEGMENT, checkpoint: { next: 2 + PRIMES_SEGMENT, count: 6_543, largest: 65_537 } });
  });

  it('agrees with trial division across segment boundaries', () => {
    const below = 2 * PRIMES_SEGMENT + 50;
    const expected = Array.from({ length: below }, (_, n) => n).filter(isPrime);
    expect(drain(primes(job(below, { list: true }), null)).result.primes).toEqual(expected);
  });

  it('resumes from a checkpoint, list included, to the same answer as an uninterrupted run', () => {
    const listed = job(3 * PRIMES_SEGMENT, { list: true });
    const first = primes(listed, null);
    const step = first.next().value;
    if (!('checkpoint' in step)) throw new Error('a step was expected');

    const resumed = drain(primes(listed, JSON.parse(JSON.stringify(step.checkpoint))));

    expect(resumed.steps).toHaveLength(1);
    expect(resumed.result).toEqual(drain(primes(listed, null)).result);
  });

  it('starts over rather than trust a count-only checkpoint for a listing job', () => {
    const listed = job(100, { list: true });
    const result = drain(primes(listed, { next: 50, count: 15, largest: 47 })).result;
    expect(result.primes).toHaveLength(25);
  });
});
