import { drain } from '../testing/drain-work';
import { SORT_RUN, sortSteps, sortValues } from './sort';

/** A fixed pseudo-random sequence (xorshift), so failures replay. */
function values(count: number, seed = 7): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state % 2_000_001) - 1_000_000;
  });
}

describe('sort jobs', () => {
  it.each([0, 1, 2, SORT_RUN, SORT_RUN + 1, 3 * SORT_RUN + 17, 50_000])('sorts %i integers ascending in the announced steps', (count) => {
    const input = values(count);
    const { steps, result } = drain(sortValues({ kind: 'sort', values: input, order: 'asc' }));
    expect(result).toEqual({ kind: 'sort', order: 'asc', count, values: [...input].sort((a, b) => a - b) });
    expect(steps.length).toBe(count === 0 ? 0 : sortSteps(count));
  });

  it('sorts descending and keeps duplicates and extreme integers', () => {
    const input = [3, Number.MAX_SAFE_INTEGER, -5, 3, Number.MIN_SAFE_INTEGER, 0, -5];
    expect(drain(sortValues({ kind: 'sort', values: input, order: 'desc' })).result.values).toEqual([
      Number.MAX_SAFE_INTEGER,
      3,
      3,
      0,
      -5,
      -5,
      Number.MIN_SAFE_INTEGER,
    ]);
  });

  it('leaves the submitted array as it was', () => {
    const input = [3, 1, 2];
    drain(sortValues({ kind: 'sort', values: input, order: 'asc' }));
    expect(input).toEqual([3, 1, 2]);
  });
});
