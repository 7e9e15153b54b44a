import { z } from 'zod';
import { IdempotencyKey } from './ids';
import { PayRequest, Payment } from './payment';

/**
 * The x402 v2 facilitator API's bodies (docs/x402.md, "The facilitator"), as
 * the payment service takes them. The scheme checks the payload itself; this
 * checks only the envelope, so a malformed request is a 400 in the service's
 * error format and a well-formed but wrong payment an `isValid: false`.
 */
const DecimalString = z.string().regex(/^[0-9]{1,78}$/, "must be a whole number in the token's base units");

export const X402PaymentRequirements = z.object({
  scheme: z.string().min(1).max(64),
  /** CAIP-2, e.g. eip155:31337 */
  network: z.string().regex(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/, 'must be a CAIP-2 network id'),
  asset: z.string().min(1).max(200),
  amount: DecimalString,
  payTo: z.string().min(1).max(200),
  maxTimeoutSeconds: z.number().int().min(0),
  extra: z.record(z.string(), z.unknown()).default({}),
});
export type X402PaymentRequirements = z.infer<typeof X402PaymentRequirements>;

export const X402PaymentPayload = z.object({
  x402Version: z.literal(2),
  resource: z.object({ url: z.string(), description: z.string().optional(), mimeType: z.string().optional() }).passthrough().optional(),
  accepted: X402PaymentRequirements,
  payload: z.record(z.string(), z.unknown()),
  extensions: z.record(z.string(), z.unknown()).optional(),
});
export type X402PaymentPayload = z.infer<typeof X402PaymentPayload>;

/** `POST /x402/verify` and `POST /x402/settle`. */
export const X402FacilitatorRequest = z.object({
  x402Version: z.literal(2),
  paymentPayload: X402PaymentPayload,
  paymentRequirements: X402PaymentRequirements,
});
export type X402FacilitatorRequest = z.infer<typeof X402FacilitatorRequest>;

/** The exact scheme's EIP-3009 payload (the stand-in MNEE token implements ERC-3009); the Permit2 payload is below. */
export const X402Eip3009Payload = z.object({
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  authorization: z.object({
    from: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    to: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    value: DecimalString,
    validAfter: DecimalString,
    validBefore: DecimalString,
    nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  }),
});
export type X402Eip3009Payload = z.infer<typeof X402Eip3009Payload>;

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

/**
 * The exact scheme's Permit2 payload (`ExactPermit2Payload` of `@x402/evm`):
 * the payer's Permit2 `PermitWitnessTransferFrom` for the x402 exact Permit2
 * proxy, what a token without ERC-3009 (the real MNEE) is paid with. `nonce`
 * is a uint256 in decimal, as the library writes it.
 */
export const X402Permit2Payload = z.object({
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  permit2Authorization: z.object({
    from: Address,
    permitted: z.object({ token: Address, amount: DecimalString }),
    spender: Address,
    nonce: DecimalString,
    deadline: DecimalString,
    witness: z.object({ to: Address, validAfter: DecimalString }),
  }),
});
export type X402Permit2Payload = z.infer<typeof X402Permit2Payload>;

/** The one variant of an x402 service (services.yaml `kind: x402`): the `exact` price its 402 answer asks, at most its maxPrice. */
export const X402_VARIANT = 'x402';

/**
 * Gateway → payment, `POST /x402/payments`: sign the x402 payment of a
 * granted call to an external x402 service (docs/x402.md, "Paying x402
 * APIs"). The payment service pays only what the grant allows: `accepted`
 * must be `exact` on its chain, in MNEE, for the grant's amount, to the payee
 * its own services.yaml names for the service.
 */
export const X402PayRequest = z.strictObject({
  grant: PayRequest.shape.grant,
  idempotencyKey: IdempotencyKey,
  /** the resource's 402 answer names what is paid for; kept in the signed payload as the resource gave it */
  resource: z.object({
    url: z.string().max(2_048),
    description: z.string().max(2_000).optional(),
    mimeType: z.string().max(200).optional(),
  }),
  /** the one offer of the resource's `accepts` the gateway chose */
  accepted: X402PaymentRequirements,
});
export type X402PayRequest = z.infer<typeof X402PayRequest>;

/** The payment (PENDING until the service settles it) and the `PAYMENT-SIGNATURE` header to send with the call. */
export const X402PayAnswer = z.object({
  payment: Payment,
  /** base64 JSON of the x402 v2 PaymentPayload: the value of the PAYMENT-SIGNATURE header */
  paymentSignature: z.string().min(1),
});
export type X402PayAnswer = z.infer<typeof X402PayAnswer>;

/** The x402 v2 SettleResponse, as a service's `PAYMENT-RESPONSE` header carries it. */
export const X402Settlement = z.object({
  success: z.boolean(),
  transaction: z.string().max(200),
  network: z.string().max(64),
  payer: z.string().max(200).optional(),
  amount: z.string().max(80).optional(),
  errorReason: z.string().max(500).optional(),
  errorMessage: z.string().max(2_000).optional(),
});
export type X402Settlement = z.infer<typeof X402Settlement>;

/**
 * Gateway → payment, `POST /x402/payments/:id/outcome`: how the paid call
 * went. The payment service takes the chain's word, not the service's: the
 * authorization used on chain is a payment (SUCCESS), one still unused is
 * canceled (FAILED, nothing moved).
 */
export const X402OutcomeRequest = z.strictObject({
  /** the service answered the paid call with a 2xx */
  served: z.boolean(),
  /** its decoded `PAYMENT-RESPONSE`; absent when it sent none */
  settlement: X402Settlement.optional(),
});
export type X402OutcomeRequest = z.infer<typeof X402OutcomeRequest>;
