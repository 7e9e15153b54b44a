import { createHash } from 'node:crypto';
import type { DriftSettings } from '@nexus/config';

export const BASIS_POINTS = 10_000n;

/** The first 64 bits of sha256(text), as a non-negative bigint. */
function hash64(text: string): bigint {
  return createHash('sha256').update(text, 'utf8').digest().readBigUInt64BE(0);
}

/**
 * The drift of a pair in a bucket, in basis points: a triangle wave from
 * -amplitude to +amplitude and back over `periodBuckets` (each pair at its own
 * phase, from a hash of the pair), plus a jitter within ±noise from a hash of
 * the pair and the bucket. Bounded by amplitude + noise, pure integers: the
 * same pair and bucket give the same drift everywhere.
 */
export function driftBps(base: string, quote: string, bucket: bigint, { amplitudeBps, periodBuckets, noiseBps }: DriftSettings): number {
  const amplitude = BigInt(amplitudeBps);
  const period = BigInt(periodBuckets);
  const noise = BigInt(noiseBps);
  const phase = hash64(`${base}/${quote}`) % period;
  const position = (((bucket + phase) % period) + period) % period;
  // 0 at the trough, period/2 at the crest
  const fromTrough = position <= period / 2n ? position : period - position;
  const wave = (4n * amplitude * fromTrough) / period - amplitude;
  const jitter = noise === 0n ? 0n : (hash64(`${base}/${quote}@${bucket}`) % (2n * noise + 1n)) - noise;
  return Number(wave + jitter);
}

/** The price moved by `drift` basis points, rounded half up. */
export function applyDrift(price: bigint, drift: number): bigint {
  const factor = BASIS_POINTS + BigInt(drift);
  return (2n * price * factor + BASIS_POINTS) / (2n * BASIS_POINTS);
}
