/** Extra gas over an estimate, in percent: a payee paid for the first time costs a fresh storage slot more than the estimate saw. */
export const DEFAULT_GAS_MARGIN_PERCENT = 30;

/**
 * The gas limit of a batch, estimated once per number of payments and kept:
 * a payBatch of n payments costs about the same whatever they are, so only
 * a new shape (or one the caller wants checked afresh) asks the node.
 */
export class GasLimits {
  private readonly limits = new Map<number, bigint>();

  constructor(private readonly marginPercent = DEFAULT_GAS_MARGIN_PERCENT) {}

  /**
   * The limit for `count` payments: the kept one, or `estimate()` plus the
   * margin, kept. `fresh` estimates anyway (a revert shows up there, before
   * anything is signed); an estimate that throws keeps nothing.
   */
  async limitFor(count: number, estimate: () => Promise<bigint>, { fresh = false }: { fresh?: boolean } = {}): Promise<bigint> {
    const kept = fresh ? undefined : this.limits.get(count);
    if (kept !== undefined) return kept;
    const gas = await estimate();
    const limit = gas + (gas * BigInt(this.marginPercent)) / 100n;
    this.limits.set(count, limit);
    return limit;
  }

  /** Drops the limit for `count` payments (a batch of that size ran out of gas, or reverted). */
  forget(count: number): void {
    this.limits.delete(count);
  }

  /** How many shapes have a limit (for tests and metrics). */
  get size(): number {
    return this.limits.size;
  }
}
