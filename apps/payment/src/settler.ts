import type { PaymentCheckFailure } from '@nexus/chain';
import type { PaymentRecord } from '@nexus/stores';
import { NexusError, type PaymentMode } from '@nexus/types';

/** What settling one payment came to. */
export type SettleResult =
  /** the money moved (chain: a receipt with the router's event; mock: recorded) */
  | { kind: 'settled'; txHash: string | null; blockNumber: number | null; gasUsed: bigint | null }
  /** nothing moved and nothing will: the chain refused it */
  | { kind: 'failed'; code: string; message: string }
  /** the chain did not answer; `mayHaveBeenSent` when a signed transaction may still land */
  | { kind: 'unavailable'; message: string; mayHaveBeenSent: boolean };

/** What the chain says of a PENDING payment that nobody is settling any more (the pending driver asks). */
export type ResolveResult =
  /** the router recorded it: the money moved */
  | { kind: 'settled'; txHash: string | null; blockNumber: number | null; gasUsed: bigint | null }
  /** it can never land: nothing was signed, or the treasury's mined nonce passed every transaction signed for it */
  | { kind: 'failed'; code: string; message: string }
  /** it may still land (or the chain did not answer): ask again later */
  | { kind: 'pending'; message: string };

export type RefundResult =
  | { kind: 'refunded'; txHash: string | null }
  | { kind: 'not-signable'; message: string }
  | { kind: 'not-verified'; message: string }
  | { kind: 'unavailable'; message: string };

export type ChainCheck = { valid: true } | { valid: false; reason: PaymentCheckFailure; message: string };

export interface TreasuryState {
  address: string | null;
  chainId: number | null;
  router: string | null;
  token: { address: string; symbol: string; decimals: number } | null;
  /** base units */
  balance: bigint | null;
  /** base units; null when unlimited or in mock mode */
  allowance: bigint | null;
  allowanceUnlimited: boolean;
}

export interface SettlementHooks {
  /**
   * Called with a signed transaction before it is broadcast, to record it
   * durably; throws LeaseLostError when this settler may no longer send.
   */
  onSubmitted(txHash: string, signed: { nonce: number; raw: string }): Promise<void>;
}

/** Another settler took the payment over (this one's lease ran out): nothing more may be sent for it here. */
export class LeaseLostError extends NexusError {
  override readonly name = 'LeaseLostError';
  readonly code = 'LEASE_LOST';
  constructor(paymentId: string) {
    super(`the lease on payment ${paymentId} was lost: another settler is in charge`);
  }
}

/** Moves money for the payment service: on chain through the router, or nowhere (mock). */
export interface Settler {
  readonly mode: PaymentMode;
  settle(payment: PaymentRecord, hooks: SettlementHooks): Promise<SettleResult>;
  /** Asks the chain where a PENDING payment stands (it may send its recorded transaction again); never FAILED while it may still land. */
  resolve(payment: PaymentRecord): Promise<ResolveResult>;
  /** Refunds a settled payment; `txHash` names a refund the payee already sent. */
  refund(payment: PaymentRecord, txHash: string | undefined): Promise<RefundResult>;
  /** Checks a settled payment against the chain itself (chain mode); mock mode has nothing to check. */
  checkOnChain(txHash: string, expected: { payee: string; serviceId: string; minAmount: bigint; paymentRef?: string }): Promise<ChainCheck>;
  treasury(): Promise<TreasuryState>;
  /** Throws when the chain is unreachable (health). */
  ping(): Promise<void>;
  close(): void;
}
