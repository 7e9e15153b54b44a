import { createHash } from 'node:crypto';

/** A small deterministic generator of uint32s (sfc32): integer operations only, so every platform draws the same sequence. */
export interface Random {
  /** the next uint32 */
  next: () => number;
  /** an integer in [min, max] (both included) */
  int: (min: number, max: number) => number;
  /** true `percent` times out of 100 */
  chance: (percent: number) => boolean;
  /** one of the items */
  pick: <T>(items: readonly T[]) => T;
}

/** The seed a request without one gets: the first 32 bits of sha256(prompt). */
export function seedOfPrompt(prompt: string): number {
  return createHash('sha256').update(prompt, 'utf8').digest().readUInt32BE(0);
}

/** A generator seeded by sha256(seed, prompt): the same pair always draws the same numbers. */
export function randomFor(prompt: string, seed: number): Random {
  const digest = createHash('sha256').update(`${seed}\u0000${prompt}`, 'utf8').digest();
  let a = digest.readInt32BE(0);
  let b = digest.readInt32BE(4);
  let c = digest.readInt32BE(8);
  let d = digest.readInt32BE(12);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first draws of sfc32 are poorly mixed: skip them.
  for (let i = 0; i < 12; i += 1) next();
  const int = (min: number, max: number): number => (max <= min ? min : min + (next() % (max - min + 1)));
  return {
    next,
    int,
    chance: (percent) => next() % 100 < percent,
    pick: <T>(items: readonly T[]): T => {
      const item = items[next() % items.length];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}
