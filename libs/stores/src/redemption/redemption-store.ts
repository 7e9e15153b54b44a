/** A provider's record of the payment proofs it accepted: each is redeemed once, then served or refunded. */

export const REDEMPTION_STATUSES = ['REDEEMED', 'SERVED', 'REFUNDED', 'REFUND_FAILED'] as const;
/** REDEEMED: taken, the call is being served. SERVED: done. REFUNDED / REFUND_FAILED: the call failed after payment. */
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

export interface Redemption {
  paymentId: string;
  serviceId: string;
  variant: string;
  amount: bigint;
  txHash: string | null;
  paymentRef: string | null;
  status: RedemptionStatus;
  requestId: string | null;
  redeemedAt: Date;
  finishedAt: Date | null;
  refund: { txHash: string | null; reason: string } | null;
  /** false while a refund made on chain is still to be told to the payments ledger */
  ledgerSynced: boolean;
}

export type NewRedemption = Pick<Redemption, 'paymentId' | 'serviceId' | 'variant' | 'amount' | 'txHash' | 'paymentRef' | 'requestId'>;

export interface RefundRecord {
  status: 'REFUNDED' | 'REFUND_FAILED';
  txHash: string | null;
  reason: string;
  ledgerSynced: boolean;
}

export interface RedemptionStore {
  /** Takes a proof, once: `redeemed: false` with the earlier redemption when it was already taken (also under a race). */
  redeem(
    redemption: NewRedemption,
    now: Date,
  ): Promise<{ redeemed: true; redemption: Redemption } | { redeemed: false; existing: Redemption }>;
  get(paymentId: string): Promise<Redemption | undefined>;
  /** REDEEMED → SERVED. */
  markServed(paymentId: string, now: Date): Promise<void>;
  /** REDEEMED (or REFUND_FAILED, on a later try) → REFUNDED or REFUND_FAILED. */
  markRefund(paymentId: string, refund: RefundRecord, now: Date): Promise<Redemption | undefined>;
  /** Refunds made on chain that the payments ledger does not know of yet, oldest first. */
  unsyncedRefunds(limit: number): Promise<Redemption[]>;
  markLedgerSynced(paymentId: string): Promise<void>;
  /** Counts by status (metrics, tests). */
  counts(): Promise<Record<RedemptionStatus, number>>;
}
