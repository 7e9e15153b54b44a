import { NexusError, type PaymentMode, type PaymentProof, type VerifyReason } from '@nexus/types';

/** What a provider requires of a payment before it serves. */
export interface PaymentExpectation {
  payee: string;
  serviceId: string;
  /** the variant's price, in base units */
  minAmount: bigint;
}

export type VerifyOutcome =
  | { valid: true; amount: bigint; txHash: string | null; paymentRef: string | null }
  | { valid: false; reason: VerifyReason; message: string };

/** Decides whether a proof is a valid payment. Throws PaymentUnverifiableError when its source of truth does not answer. */
export interface PaymentVerifier {
  readonly mode: PaymentMode;
  verify(proof: PaymentProof, expected: PaymentExpectation): Promise<VerifyOutcome>;
  /** health: throws when the source of truth is unreachable */
  ping(): Promise<void>;
}

/** The chain (or the payments ledger) did not answer: the proof can be neither accepted nor refused. */
export class PaymentUnverifiableError extends NexusError {
  override readonly name = 'PaymentUnverifiableError';
}
