import { createHash } from 'node:crypto';

/** A hash chain as BATCH_COMPUTE defines it, in one plain loop: the digest a test expects. */
export function hashChainReference(seed: string, iterations: number): string {
  let digest = createHash('sha256').update(seed, 'utf8').digest();
  for (let round = 1; round < iterations; round += 1) digest = createHash('sha256').update(digest).digest();
  return digest.toString('hex');
}
