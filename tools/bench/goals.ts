/**
 * The targets of issue 16 ("The lean paid call") on this 2-core machine, and
 * the older ones the bench still judges (settlement batching, memory).
 * Shares are of the limit (a bare Express route) measured in the same run at
 * the same connection count.
 */
export const GOALS = {
  decide: {
    connections: 50,
    sqlite: { shareOfLimit: 0.6, p99Ms: 15 },
    postgres: { shareOfLimit: 0.35, p99Ms: 30 },
  },
  gateway: {
    connections: 20,
    callsPerSecond: 600,
    shareOfLimit: 0.11,
    /** p50 of the paid call minus p50 of the provider called directly, at 1 connection */
    overheadP50Ms: 3,
    /** CPU of one paid call summed over every process of the stack, the launcher included */
    cpuMsPerCall: 3,
  },
  chain: {
    connections: 20,
    callsPerSecond: 250,
    shareOfLimit: 0.045,
    p50Ms: 150,
  },
  batchedOverPerCall: 10,
  restMb: 150,
} as const;
