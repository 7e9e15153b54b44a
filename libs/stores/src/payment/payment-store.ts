import { NexusError } from '@nexus/types';

/** The payments ledger, as the payment service sees it. Amounts are bigint base units. */

export const PAYMENT_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'MOCK', 'REFUNDED'] as const;
/** PENDING: being settled, or retryable (no final word from the chain yet). The others are final, but SUCCESS/MOCK → REFUNDED. */
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type PaymentMode = 'chain' | 'mock';

export interface PaymentRecord {
  id: string;
  idempotencyKey: string;
  agentId: string;
  serviceId: string;
  payee: string;
  amount: bigint;
  decisionId: string;
  reservationId: string | null;
  mode: PaymentMode;
  paymentRef: string | null;
  status: PaymentStatus;
  txHash: string | null;
  /** the highest nonce this payment's transactions were signed with; null before any was signed */
  txNonce: number | null;
  /** the last signed transaction (hex), kept so it can be broadcast again */
  rawTx: string | null;
  blockNumber: number | null;
  gasUsed: bigint | null;
  failure: { code: string; message: string } | null;
  refund: { txHash: string | null; reason: string; at: Date } | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  settledAt: Date | null;
  /**
   * `grant`: paid from the treasury on a policy grant; `x402`: a third party paid through the facilitator (no
   * agent, no decision); `x402-out`: the treasury paid an external x402 service on a grant, by an ERC-3009
   * authorization it signed and the service settled
   */
  method?: PaymentMethod;
  /** x402: the payer's address (x402-out: the treasury); null for a grant's payment */
  payer?: string | null;
  /** x402: the ERC-3009 authorization nonce (bytes32 hex) */
  authorizationNonce?: string | null;
  /** x402-out: the signed x402 v2 PaymentPayload, as JSON */
  x402Payload?: string | null;
  /** x402-out: whether the service served the paid call, as the gateway reported it; null until it did */
  served?: boolean | null;
}

export const PAYMENT_METHODS = ['grant', 'x402', 'x402-out'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * An x402 payment the facilitator settled: recorded once it landed, SUCCESS.
 * It has no agent and no decision: the ledger stores both as '' (never an id),
 * so no agent's filter or budget ever counts it.
 */
export interface NewX402Payment {
  id: string;
  /** `x402:<chainId>:<token>:<payer>:<nonce>`, lower case: one row per authorization */
  idempotencyKey: string;
  serviceId: string;
  payee: string;
  payer: string;
  authorizationNonce: string;
  /** base units of 10^-6 MNEE */
  amount: bigint;
  txHash: string;
  blockNumber: number | null;
  gasUsed: bigint | null;
}

/**
 * A payment to an external x402 service, opened PENDING with the
 * authorization the treasury signed for it: the service settles it, the
 * chain tells whether it did.
 */
export type NewX402OutPayment = NewPayment & {
  /** the treasury: the authorization's `from` */
  payer: string;
  authorizationNonce: string;
  /** the signed x402 v2 PaymentPayload, as JSON */
  x402Payload: string;
};

/** What the service knows of a payment before settling it. */
export type NewPayment = Pick<
  PaymentRecord,
  'id' | 'idempotencyKey' | 'agentId' | 'serviceId' | 'payee' | 'amount' | 'decisionId' | 'reservationId' | 'mode' | 'paymentRef'
>;

export interface Submission {
  txHash: string;
  nonce: number;
  raw: string;
}

export interface Settlement {
  status: 'SUCCESS' | 'MOCK';
  txHash: string | null;
  blockNumber: number | null;
  gasUsed: bigint | null;
}

export type RefundOutcome =
  | { outcome: 'refunded'; payment: PaymentRecord }
  | { outcome: 'already-refunded'; payment: PaymentRecord }
  | { outcome: 'not-refundable'; payment: PaymentRecord }
  | { outcome: 'not-found' };

export interface PaymentFilter {
  agentId?: string;
  serviceId?: string;
  status?: PaymentStatus;
  limit: number;
  /** from a previous page's `nextCursor` */
  cursor?: string;
}

export interface PaymentStore {
  /**
   * Records a new PENDING payment, or returns the one already under its
   * idempotency key, else the one already under its reservation (`created:
   * false`; a reservation is paid once, whatever the key).
   */
  open(payment: NewPayment, now: Date): Promise<{ payment: PaymentRecord; created: boolean }>;
  /**
   * Records a settled x402 payment, or returns the one already under its
   * idempotency key (or its payer and nonce): `created: false`.
   */
  recordX402(payment: NewX402Payment, now: Date): Promise<{ payment: PaymentRecord; created: boolean }>;
  /**
   * Records a new PENDING x402-out payment with its signed authorization, or
   * returns the one already under its idempotency key, else its reservation
   * (`created: false`), as `open` does.
   */
  openX402Out(payment: NewX402OutPayment, now: Date): Promise<{ payment: PaymentRecord; created: boolean }>;
  /** x402-out: what the gateway reported of the paid call, kept once (a later report does not change it). Returns the row. */
  recordServed(id: string, served: boolean, now: Date): Promise<PaymentRecord | undefined>;
  get(id: string): Promise<PaymentRecord | undefined>;
  findByIdempotencyKey(idempotencyKey: string): Promise<PaymentRecord | undefined>;
  /** The payments one transaction settled: one, or every member of a batch (`payBatch`); newest first. */
  findByTxHash(txHash: string): Promise<PaymentRecord[]>;
  /**
   * Takes the right to settle a PENDING payment until `until` and counts an
   * attempt. Undefined when it is no longer PENDING or another owner's lease
   * is still live.
   */
  lease(id: string, owner: string, now: Date, until: Date): Promise<PaymentRecord | undefined>;
  /**
   * A signed transaction (hash, nonce, raw), written before it is broadcast,
   * only while `owner` holds the lease of the still PENDING payment. False:
   * the lease was lost (or the payment ended), and the caller must not broadcast.
   */
  recordSubmission(id: string, owner: string, submission: Submission, now: Date): Promise<boolean>;
  /**
   * PENDING payments nobody is settling: their lease ran out, or they were
   * never leased (or were let go) and untouched since `idleSince`. Oldest first.
   */
  listUnattended(now: Date, idleSince: Date, limit: number): Promise<PaymentRecord[]>;
  /** Drops a lease; the payment stays PENDING (retryable). */
  releaseLease(id: string, owner: string, now: Date): Promise<void>;
  /** PENDING → SUCCESS or MOCK. Returns the row as it now is (unchanged if it was already final). */
  markSettled(id: string, settlement: Settlement, now: Date): Promise<PaymentRecord>;
  /** PENDING → FAILED. Returns the row as it now is. */
  markFailed(id: string, failure: { code: string; message: string }, now: Date): Promise<PaymentRecord>;
  /** SUCCESS or MOCK → REFUNDED, once. */
  markRefunded(id: string, refund: { txHash: string | null; reason: string }, now: Date): Promise<RefundOutcome>;
  /** Newest first; `nextCursor` is null on the last page. */
  list(filter: PaymentFilter): Promise<{ items: PaymentRecord[]; nextCursor: string | null }>;
  /** Sums by status of amounts, for reconciliation and the treasury view. */
  totals(): Promise<Record<PaymentStatus, { count: number; amount: bigint }>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A page cursor that does not decode. */
export class InvalidCursorError extends NexusError {
  override readonly name = 'InvalidCursorError';

  constructor() {
    super('cursor is not one this service issued');
  }
}
