import { z } from 'zod';

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

/** The exact scheme's EIP-3009 payload: the only one this facilitator settles (the stand-in MNEE token implements ERC-3009). */
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
