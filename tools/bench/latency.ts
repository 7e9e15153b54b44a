/** Latency figures of one load run, in milliseconds. */
export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** The q-quantile (0 < q ≤ 1) of ascending `sorted` by the nearest-rank method. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** p50, p99 and the mean of response times (any order); NaN when there are none. */
export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  const mean = values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
  return { p50Ms: quantile(values, 0.5), p99Ms: quantile(values, 0.99), meanMs: mean };
}
