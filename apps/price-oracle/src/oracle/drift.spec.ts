import { applyDrift, driftBps } from './drift';
import { parsePrice } from './fixed-point';

const SETTINGS = { amplitudeBps: 150, periodBuckets: 1440, noiseBps: 20 };
const range = (from: bigint, count: number) => Array.from({ length: count }, (_, i) => from + BigInt(i));

describe('driftBps', () => {
  it('gives the same drift for the same pair and bucket', () => {
    expect(driftBps('ETH', 'USD', 29_552_400n, SETTINGS)).toBe(driftBps('ETH', 'USD', 29_552_400n, SETTINGS));
  });

  it('keeps the drift within amplitude plus noise', () => {
    const drifts = range(29_000_000n, 5_000).map((bucket) => driftBps('ETH', 'USD', bucket, SETTINGS));

    expect(Math.max(...drifts)).toBeLessThanOrEqual(170);
    expect(Math.min(...drifts)).toBeGreaterThanOrEqual(-170);
  });

  it('without noise, sweeps from -amplitude to +amplitude and repeats every period', () => {
    const settings = { amplitudeBps: 100, periodBuckets: 40, noiseBps: 0 };
    const cycle = range(1_000n, 40).map((bucket) => driftBps('BTC', 'USD', bucket, settings));
    const next = range(1_040n, 40).map((bucket) => driftBps('BTC', 'USD', bucket, settings));

    expect(next).toEqual(cycle);
    expect([Math.min(...cycle), Math.max(...cycle)]).toEqual([-100, 100]);
    // a triangle: neighbouring buckets move by one step of 4 × amplitude / period
    for (let i = 1; i < cycle.length; i += 1) expect(Math.abs((cycle[i] ?? 0) - (cycle[i - 1] ?? 0))).toBe(10);
  });

  it('puts each pair at its own phase', () => {
    const settings = { amplitudeBps: 100, periodBuckets: 1440, noiseBps: 0 };
    const eth = range(0n, 20).map((bucket) => driftBps('ETH', 'USD', bucket, settings));
    const sol = range(0n, 20).map((bucket) => driftBps('SOL', 'USD', bucket, settings));

    expect(eth).not.toEqual(sol);
  });

  it('never moves a pair without amplitude or noise', () => {
    const drifts = range(0n, 100).map((bucket) => driftBps('MNEE', 'USD', bucket, { amplitudeBps: 0, periodBuckets: 1440, noiseBps: 0 }));

    expect(new Set(drifts)).toEqual(new Set([0]));
  });

  it('keeps the drifts it gave before (pinned)', () => {
    // A change here changes every price already answered: do it on purpose only.
    expect(range(29_552_400n, 5).map((bucket) => driftBps('ETH', 'USD', bucket, SETTINGS))).toEqual([78, 90, 97, 76, 69]);
  });
});

describe('applyDrift', () => {
  it('moves a price by basis points, rounding half up', () => {
    expect(applyDrift(parsePrice('3150.25'), 100)).toBe(parsePrice('3181.7525'));
    expect(applyDrift(parsePrice('3150.25'), -150)).toBe(parsePrice('3102.99625'));
    expect(applyDrift(parsePrice('1'), 0)).toBe(parsePrice('1'));
    expect(applyDrift(15n, 1)).toBe(15n);
    expect(applyDrift(5_000n, 1)).toBe(5_001n);
  });
});
