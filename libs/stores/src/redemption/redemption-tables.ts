/** Table shape of a provider's redeemed payment proofs. Times are epoch milliseconds. */
export interface RedemptionTables {
  redemptions: {
    /** the payment id of the proof: primary key, so a proof is redeemed once */
    payment_id: string;
    service_id: string;
    variant: string;
    /** what was paid, base units of 10^-6 MNEE */
    amount: bigint;
    tx_hash: string | null;
    /** the router's reference (chain mode) */
    payment_ref: string | null;
    /** REDEEMED (being served), SERVED, REFUNDED or REFUND_FAILED */
    status: string;
    request_id: string | null;
    redeemed_at: bigint;
    finished_at: bigint | null;
    refund_tx_hash: string | null;
    refund_reason: string | null;
    /** 1 once the payments ledger knows of the refund; 0 while it still has to be told */
    ledger_synced: bigint;
  };
}
