import type { Redemption } from '@nexus/stores';

export interface RefundResult {
  /** REFUNDED: the money went back; FAILED: it did not (see message), the redemption says REFUND_FAILED */
  status: 'REFUNDED' | 'FAILED';
  txHash: string | null;
  message: string;
  /** false when the refund happened on chain but the payments ledger could not be told yet */
  ledgerSynced: boolean;
}

/** Gives a redeemed payment back when the paid call failed. */
export interface Refunder {
  refund(redemption: Redemption, reason: string): Promise<RefundResult>;
  /** Tells the payments ledger of a refund made on chain (retried later when it was down). */
  syncLedger(redemption: Redemption): Promise<void>;
}
