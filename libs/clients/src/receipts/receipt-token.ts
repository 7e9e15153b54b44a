import type { KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { RECEIPT_ALGORITHM, RECEIPT_AUDIENCE, RECEIPT_ISSUER, RECEIPT_TTL_SECONDS, ReceiptClaims, type ReceiptTerms } from '@nexus/types';
import { jwsRefusal } from '../jws/jws-refusal';

/**
 * The payment service's receipt of a mock payment: a compact JWS (EdDSA over
 * Ed25519) for the providers, good for RECEIPT_TTL_SECONDS. The provider
 * checks it with the payment service's public key alone.
 */
export function signReceipt(terms: ReceiptTerms, key: KeyObject, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ...terms })
    .setProtectedHeader({ alg: RECEIPT_ALGORITHM, typ: 'JWT' })
    .setIssuer(RECEIPT_ISSUER)
    .setAudience(RECEIPT_AUDIENCE)
    .setJti(terms.paymentId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + RECEIPT_TTL_SECONDS)
    .sign(key);
}

export type ReceiptCheck = { valid: true; claims: ReceiptClaims } | { valid: false; reason: string };

/** Checks a receipt: the signature (EdDSA only), issuer, audience, expiry and the claims' shape. */
export async function verifyReceipt(token: string, key: KeyObject, now: Date = new Date()): Promise<ReceiptCheck> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [RECEIPT_ALGORITHM],
      issuer: RECEIPT_ISSUER,
      audience: RECEIPT_AUDIENCE,
      requiredClaims: ['exp', 'jti'],
      currentDate: now,
    });
    const parsed = ReceiptClaims.safeParse(payload);
    if (!parsed.success)
      return { valid: false, reason: `its claims are malformed (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})` };
    if (parsed.data.jti !== parsed.data.paymentId) return { valid: false, reason: 'its jti is not its payment' };
    return { valid: true, claims: parsed.data };
  } catch (error: unknown) {
    return { valid: false, reason: jwsRefusal(error, 'the payment service') };
  }
}
