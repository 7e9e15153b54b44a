import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { HashChainJob, HashChainResult } from '@nexus/types';
import type { JobStep } from './job-work';

/** sha256 rounds between two yields. */
export const HASH_ROUNDS_PER_STEP = 1_000;

const Checkpoint = z.object({ round: z.number().int().min(1), digest: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * sha256 `iterations` times: round 1 hashes the seed's UTF-8 bytes, each
 * later round the previous digest's 32 raw bytes. Resumes from a checkpoint
 * (rounds done and the digest so far) when it is one of this job's.
 */
export function* hashChain(job: HashChainJob, resume: unknown): Generator<JobStep, HashChainResult, void> {
  const saved = Checkpoint.safeParse(resume);
  let round = saved.success && saved.data.round <= job.iterations ? saved.data.round : 1;
  let digest =
    saved.success && saved.data.round <= job.iterations
      ? Buffer.from(saved.data.digest, 'hex')
      : createHash('sha256').update(job.seed, 'utf8').digest();
  while (round < job.iterations) {
    const end = Math.min(job.iterations, (Math.floor(round / HASH_ROUNDS_PER_STEP) + 1) * HASH_ROUNDS_PER_STEP);
    for (; round < end; round += 1) digest = createHash('sha256').update(digest).digest();
    if (round < job.iterations) yield { done: round, checkpoint: { round, digest: digest.toString('hex') } };
  }
  return { kind: 'hash-chain', iterations: job.iterations, digest: digest.toString('hex') };
}
