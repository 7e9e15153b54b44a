import { quantile, summarizeLatencies } from './latency';

describe('latency summary', () => {
  it('takes percentiles by nearest rank over unsorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(summarizeLatencies(samples)).toEqual({ p50Ms: 50, p99Ms: 99, meanMs: 50.5 });
  });

  it('keeps sub-millisecond resolution', () => {
    expect(summarizeLatencies([0.25, 0.75, 0.5])).toEqual({ p50Ms: 0.5, p99Ms: 0.75, meanMs: 0.5 });
  });

  it('answers NaN when nothing was answered', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(summarizeLatencies([]).meanMs).toBeNaN();
  });
});
