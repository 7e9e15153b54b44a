import { z } from 'zod';
import { EthAddress, PaymentId, PositiveMoney } from './payment';

/**
 * A payment receipt (mock mode): the payment service's signed word that a
 * payment was recorded, so a provider checks a proof on its own, with no
 * call back to the ledger. A compact JWS, EdDSA over Ed25519, `jti` the
 * payment id. Chain mode has no receipt: the chain is the proof.
 */
export const RECEIPT_ISSUER = 'nexus-payment';
export const RECEIPT_AUDIENCE = 'nexus-provider';
export const RECEIPT_ALGORITHM = 'EdDSA';
/** The header a receipt travels in to the provider, beside `X-Payment-Id`. Case-insensitive. */
export const PAYMENT_RECEIPT_HEADER = 'x-payment-receipt';
/** How long a receipt is good for; a replayed pay answer carries a fresh one. */
export const RECEIPT_TTL_SECONDS = 120;

export const ReceiptClaims = z.object({
  iss: z.literal(RECEIPT_ISSUER),
  aud: z.union([z.literal(RECEIPT_AUDIENCE), z.array(z.string()).refine((aud) => aud.includes(RECEIPT_AUDIENCE))]),
  jti: PaymentId,
  exp: z.number().int().positive(),
  iat: z.number().int().positive().optional(),
  paymentId: PaymentId,
  serviceId: z.string().min(1).max(100),
  payee: EthAddress,
  amount: PositiveMoney,
});
export type ReceiptClaims = z.infer<typeof ReceiptClaims>;

/** What the payment service signs into a receipt (the registered claims are set by the signer). */
export type ReceiptTerms = Pick<ReceiptClaims, 'paymentId' | 'serviceId' | 'payee' | 'amount'>;
