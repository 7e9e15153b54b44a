import { z } from 'zod';
import { ErrorBody } from './errors';
import { ResourceId } from './ids';
import { Money } from './money';
import { EthAddress, PaymentId, PaymentMode, TxHash, VerifyReason } from './payment';

/** The payment proof a caller sends with `POST /invoke` (docs/architecture.md §5). Header names are case-insensitive. */
export const PAYMENT_ID_HEADER = 'x-payment-id';
/** The settlement's transaction hash; absent in mock mode. */
export const PAYMENT_TX_HEADER = 'x-payment-tx';

export const PaymentProof = z.strictObject({
  paymentId: PaymentId,
  txHash: TxHash.optional(),
  /** mock mode: the payment service's signed receipt (`X-Payment-Receipt`), checked by the provider itself */
  receipt: z.string().min(1).max(2_000).optional(),
});
export type PaymentProof = z.infer<typeof PaymentProof>;

/** `POST /invoke` on every provider: which variant, and the provider's own input (validated by the provider). */
export const InvokeRequest = z.strictObject({
  /** The service's default variant when absent. */
  variant: ResourceId.optional(),
  input: z.unknown(),
});
export type InvokeRequest = z.infer<typeof InvokeRequest>;

export const QuoteVariant = z.object({
  id: z.string(),
  price: Money,
  description: z.string().nullable(),
});
export type QuoteVariant = z.infer<typeof QuoteVariant>;

/** What to pay a provider, and how: `GET /quote`, and the body of every 402. */
export const Quote = z.object({
  serviceId: z.string(),
  name: z.string(),
  defaultVariant: z.string(),
  variants: z.array(QuoteVariant),
  /** the provider's address: payments must go to it */
  payee: EthAddress,
  payment: z.object({
    mode: PaymentMode,
    /** null in mock mode */
    chainId: z.number().int().nullable(),
    router: EthAddress.nullable(),
    token: z.object({ address: EthAddress, symbol: z.string(), decimals: z.number().int() }).nullable(),
    /** confirmations the provider waits for before it serves */
    confirmations: z.number().int(),
    /** the request headers that carry the proof */
    headers: z.object({ paymentId: z.literal(PAYMENT_ID_HEADER), txHash: z.literal(PAYMENT_TX_HEADER) }),
  }),
});
export type Quote = z.infer<typeof Quote>;

/** A 402: the error, what this request costs, and the whole quote. */
export const PaymentRequiredBody = ErrorBody.extend({
  required: z.object({ serviceId: z.string(), variant: z.string(), amount: Money }),
  /** why the proof given was refused (`PAYMENT_INVALID`); absent when there was none */
  reason: VerifyReason.optional(),
  quote: Quote,
});
export type PaymentRequiredBody = z.infer<typeof PaymentRequiredBody>;

/** The payment a served call used up. */
export const RedeemedPayment = z.object({
  paymentId: PaymentId,
  txHash: TxHash.nullable(),
  /** what was paid (at least the variant's price) */
  amount: Money,
  redeemedAt: z.iso.datetime(),
});
export type RedeemedPayment = z.infer<typeof RedeemedPayment>;

/** `POST /invoke` answer of every provider; `result` is the provider's own shape. */
export const InvokeResponse = z.object({
  serviceId: z.string(),
  variant: z.string(),
  payment: RedeemedPayment,
  result: z.unknown(),
});
export type InvokeResponse = z.infer<typeof InvokeResponse>;

export const RefundOutcome = z.object({
  /** REFUNDED: the money went back (on chain, or in the ledger in mock mode); FAILED: it could not, see message */
  status: z.enum(['REFUNDED', 'FAILED']),
  paymentId: PaymentId,
  txHash: TxHash.nullable(),
  message: z.string(),
});
export type RefundOutcome = z.infer<typeof RefundOutcome>;

/** A paid call whose handler failed after the proof was redeemed: the error, and what became of the payment. */
export const ProviderFailureBody = ErrorBody.extend({ refund: RefundOutcome });
export type ProviderFailureBody = z.infer<typeof ProviderFailureBody>;
