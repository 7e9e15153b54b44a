import type { PaymentCheckFailure } from '@nexus/chain';
import type { PaymentRecord } from '@nexus/stores';
import type { PaymentMode } from '@nexus/types';

/** What settling one payment came to. */
export type SettleResult =
  /** the money moved (chain: a receipt with the router's event; mock: recorded) */
  | { kind: 'settled'; txHash: string | null; blockNumber: number | null; gasUsed: bigint | null }
  /** nothing moved and nothing will: the chain refused it */
  | { kind: 'failed'; code: string; message: string }
  /** the chain did not answer; `mayHaveBeenSent` when a signed transaction may still land */
  | { kind: 'unavailable'; message: string; mayHaveBeenSent: boolean };

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
  /** Called with a signed transaction's hash before it is broadcast, to record it. */
  onSubmitted(txHash: string): Promise<void>;
}

/** Moves money for the payment service: on chain through the router, or nowhere (mock). */
export interface Settler {
  readonly mode: PaymentMode;
  settle(payment: PaymentRecord, hooks: SettlementHooks): Promise<SettleResult>;
  /** Refunds a settled payment; `txHash` names a refund the payee already sent. */
  refund(payment: PaymentRecord, txHash: string | undefined): Promise<RefundResult>;
  /** Checks a settled payment against the chain itself (chain mode); mock mode has nothing to check. */
  checkOnChain(txHash: string, expected: { payee: string; serviceId: string; minAmount: bigint; paymentRef?: string }): Promise<ChainCheck>;
  treasury(): Promise<TreasuryState>;
  /** Throws when the chain is unreachable (health). */
  ping(): Promise<void>;
  close(): void;
}
