import { z } from 'zod';
import type { PrimesJob, PrimesResult } from '@nexus/types';
import type { JobStep } from './job-work';

/** Numbers sieved between two yields. */
export const PRIMES_SEGMENT = 1 << 16;

const Checkpoint = z.object({
  next: z.number().int().min(2),
  count: z.number().int().min(0),
  largest: z.number().int().nullable(),
  primes: z.array(z.number().int()).optional(),
});

/** Primes up to `limit` by a plain sieve (the base primes of the segments). */
function smallPrimes(limit: number): number[] {
  const composite = new Uint8Array(limit + 1);
  const primes: number[] = [];
  for (let n = 2; n <= limit; n += 1) {
    if (composite[n]) continue;
    primes.push(n);
    for (let multiple = n * n; multiple <= limit; multiple += n) composite[multiple] = 1;
  }
  return primes;
}

/**
 * Counts (and lists, when asked) the primes below `below` with a segmented
 * sieve of Eratosthenes, one segment per step; resumes at a checkpoint's
 * segment with the count so far.
 */
export function* primes(job: PrimesJob, resume: unknown): Generator<JobStep, PrimesResult, void> {
  const base = smallPrimes(Math.floor(Math.sqrt(job.below)) + 1);
  const saved = Checkpoint.safeParse(resume);
  const usable = saved.success && saved.data.next <= job.below && (!job.list || saved.data.primes !== undefined);
  let low = usable ? saved.data.next : 2;
  let count = usable ? saved.data.count : 0;
  let largest: number | null = usable ? saved.data.largest : null;
  const found: number[] | undefined = job.list ? (usable ? [...(saved.data.primes ?? [])] : []) : undefined;
  const composite = new Uint8Array(PRIMES_SEGMENT);
  while (low < job.below) {
    const high = Math.min(job.below, low + PRIMES_SEGMENT);
    composite.fill(0);
    for (const p of base) {
      if (p * p >= high) break;
      const first = Math.max(p * p, Math.ceil(low / p) * p);
      for (let multiple = first; multiple < high; multiple += p) composite[multiple - low] = 1;
    }
    for (let n = low; n < high; n += 1) {
      if (composite[n - low]) continue;
      count += 1;
      largest = n;
      found?.push(n);
    }
    low = high;
    if (low < job.below) yield { done: low, checkpoint: { next: low, count, largest, ...(found ? { primes: found } : {}) } };
  }
  return { kind: 'primes', below: job.below, count, largest, ...(found ? { primes: found } : {}) };
}
