import { backoffDelay } from './outbox-backoff';

const settings = { initialDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelay', () => {
  it('doubles with each failure up to the maximum', () => {
    const ceilings = [1, 2, 3, 4, 5, 10, 100].map((failures) => backoffDelay(failures, settings, () => 1));
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('waits at least half of it, whatever the jitter draws', () => {
    expect(backoffDelay(3, settings, () => 0)).toBe(200);
    expect(backoffDelay(3, settings, () => 0.5)).toBe(300);
    expect(backoffDelay(0, settings, () => 0)).toBe(50);
  });
});
