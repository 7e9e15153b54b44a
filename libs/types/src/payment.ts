import { z } from 'zod';
import { IdempotencyKey, Page, ResourceId, Timestamp } from './ids';
import { Money, moneyProblem } from './money';

export const PaymentStatus = z.enum(['PENDING', 'SUCCESS', 'FAILED', 'MOCK', 'REFUNDED']);
/** SUCCESS (settled on chain), MOCK (recorded, no chain), FAILED (nothing moved), REFUNDED; PENDING while the chain has not answered (retry with the same key). */
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const PaymentMode = z.enum(['chain', 'mock']);
export type PaymentMode = z.infer<typeof PaymentMode>;

export const EthAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
export const TxHash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex transaction hash');
export const PaymentId = z.string().regex(/^pay_[0-9a-f]{32}$/, 'must be a payment id (pay_ and 32 hex digits)');

/**
 * Free text the ledger stores. PostgreSQL text cannot hold a NUL character
 * (the insert fails), so it is refused here as a 400, not met as a 500.
 */
const LedgerText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');

/** A positive amount of MNEE. */
export const PositiveMoney = Money.refine((value) => moneyProblem(value) !== null || /[1-9]/.test(value), 'must be more than zero');

/**
 * Settle a reservation: `grant` is the policy's signed hold (Decision.grant). The payment takes the agent,
 * service, variant, amount, decision and reservation from the verified grant, and the payee from its own
 * services.yaml, never from the caller.
 */
export const PayRequest = z.strictObject({
  /** A compact JWS (three base64url parts); a few hundred characters. */
  grant: z
    .string()
    .max(4_096)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWS: the grant of a policy decision'),
  /** The same key always gets the first payment and never a second transfer. */
  idempotencyKey: IdempotencyKey,
});
export type PayRequest = z.infer<typeof PayRequest>;

export const Payment = z.object({
  id: PaymentId,
  status: PaymentStatus,
  mode: PaymentMode,
  amount: Money,
  agentId: z.string(),
  serviceId: z.string(),
  payee: z.string(),
  decisionId: z.string(),
  reservationId: z.string().nullable(),
  idempotencyKey: z.string(),
  /** The router's once-only reference (bytes32); null in mock mode. */
  paymentRef: z.string().nullable(),
  txHash: z.string().nullable(),
  blockNumber: z.number().int().nullable(),
  /** Gas the settlement used, as a decimal string; null in mock mode. */
  gasUsed: z.string().nullable(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  refund: z.object({ txHash: z.string().nullable(), reason: z.string(), refundedAt: Timestamp }).nullable(),
  attempts: z.number().int(),
  createdAt: Timestamp,
  settledAt: Timestamp.nullable(),
  /** true when this answer is an earlier payment found by its idempotency key. */
  replayed: z.boolean().optional(),
  /**
   * Shown for x402 payments only. `x402`: a third party paid one of our providers through the facilitator
   * (agentId and decisionId are ''). `x402-out`: an agent paid an external x402 service on a grant, with an
   * ERC-3009 authorization the treasury signed.
   */
  method: z.enum(['grant', 'x402', 'x402-out']).optional(),
  /** An x402 payment's payer (the ERC-3009 authorization's `from`). */
  payer: z.string().nullable().optional(),
  /** An x402 payment's ERC-3009 authorization nonce. */
  authorizationNonce: z.string().nullable().optional(),
  /** `x402-out` only: did the service answer the paid call (null while unknown)? A settled payment it did not serve is flagged for reconcile. */
  served: z.boolean().nullable().optional(),
  /** Mock mode, in the answer to a pay call: the payment service's signed receipt for the provider (see receipt.ts). */
  receipt: z.string().max(2_000).optional(),
});
export type Payment = z.infer<typeof Payment>;

export const PaymentList = Page(Payment);
export type PaymentList = z.infer<typeof PaymentList>;

export const PaymentListQuery = z.strictObject({
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
  status: PaymentStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type PaymentListQuery = z.infer<typeof PaymentListQuery>;

/** Is this a valid payment for this payee, service and (at least) amount? By payment id or by tx hash. */
export const VerifyRequest = z
  .strictObject({
    paymentId: PaymentId.optional(),
    txHash: TxHash.optional(),
    payee: EthAddress,
    serviceId: ResourceId,
    amount: Money,
  })
  .refine((value) => (value.paymentId === undefined) !== (value.txHash === undefined), {
    message: 'give exactly one of paymentId and txHash',
    path: ['paymentId'],
  });
export type VerifyRequest = z.infer<typeof VerifyRequest>;

export const VerifyReason = z.enum([
  'VALID',
  'UNKNOWN_PAYMENT',
  'NOT_SETTLED',
  'REFUNDED',
  'WRONG_PAYER',
  'WRONG_PAYEE',
  'WRONG_SERVICE',
  'AMOUNT_TOO_LOW',
  'TX_NOT_FOUND',
  'TX_REVERTED',
  'NOT_CONFIRMED',
  'NOT_A_PAYMENT',
  /** a receipt not signed by the payment service, expired, or for another payment */
  'RECEIPT_INVALID',
  'WRONG_REFERENCE',
]);
export type VerifyReason = z.infer<typeof VerifyReason>;

export const VerifyResult = z.object({
  valid: z.boolean(),
  reason: VerifyReason,
  message: z.string(),
  payment: Payment.nullable(),
});
export type VerifyResult = z.infer<typeof VerifyResult>;

/** Refund a settled payment. In chain mode the payee signs the router's refund: either this service holds the payee's key, or the payee already sent it and `txHash` names that transaction. */
export const RefundRequest = z.strictObject({
  reason: LedgerText(500),
  txHash: TxHash.optional(),
});
export type RefundRequest = z.infer<typeof RefundRequest>;

export const PaymentIdParams = z.strictObject({ id: PaymentId });

export const TreasuryView = z.object({
  mode: PaymentMode,
  /** null in mock mode */
  address: z.string().nullable(),
  chainId: z.number().int().nullable(),
  router: z.string().nullable(),
  token: z.object({ address: z.string(), symbol: z.string(), decimals: z.number().int() }).nullable(),
  /** on-chain MNEE balance (to 6 decimals); null in mock mode */
  balance: Money.nullable(),
  /** what the router may still move from the treasury; `unlimited` for a max approval */
  allowance: z.union([Money, z.literal('unlimited')]).nullable(),
  /** the ledger, by status */
  ledger: z.record(PaymentStatus, z.object({ count: z.number().int(), amount: Money })),
});
export type TreasuryView = z.infer<typeof TreasuryView>;
