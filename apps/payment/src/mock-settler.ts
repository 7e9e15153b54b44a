import type { Settler } from './settler';

/** No chain: every payment is recorded as MOCK and refunds only change the ledger. */
export function createMockSettler(): Settler {
  return {
    mode: 'mock',
    settle: async () => ({ kind: 'settled', txHash: null, blockNumber: null, gasUsed: null }),
    // Mock payments settle in the request: one left PENDING died before it was recorded, and nothing moved.
    resolve: async () => ({ kind: 'failed', code: 'NEVER_SETTLED', message: 'the mock payment was never recorded as settled' }),
    refund: async () => ({ kind: 'refunded', txHash: null }),
    checkOnChain: async () => ({ valid: false, reason: 'TX_NOT_FOUND', message: 'mock mode has no chain: verify by payment id' }),
    treasury: async () => ({
      address: null,
      chainId: null,
      router: null,
      token: null,
      balance: null,
      allowance: null,
      allowanceUnlimited: false,
    }),
    ping: async () => undefined,
    close: () => undefined,
  };
}
