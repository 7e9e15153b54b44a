import type { KeyObject } from 'node:crypto';
import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { GRANT_ALGORITHM, GRANT_AUDIENCE, GRANT_ISSUER, GrantClaims, type GrantTerms } from '@nexus/types';
import { jwsRefusal } from '../jws/jws-refusal';

/**
 * The policy's grant: a compact JWS (EdDSA over Ed25519) of a hold, issued by
 * the policy for the payment service. Signing is deterministic: the same hold
 * signed twice gives the same token.
 */
export function signGrant(terms: GrantTerms, key: KeyObject): Promise<string> {
  const { expiresAt, ...claims } = terms;
  return (
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg: GRANT_ALGORITHM, typ: 'JWT' })
      .setIssuer(GRANT_ISSUER)
      .setAudience(GRANT_AUDIENCE)
      .setJti(terms.reservationId)
      // A JWT's expiry is in whole seconds: round down, so the grant never outlives the hold.
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(key)
  );
}

export type GrantCheck =
  /** signed by the policy, for the payment service, well formed; `expired` when its hold's time is over */
  { valid: true; claims: GrantClaims; expired: boolean } | { valid: false; reason: string };

/**
 * Checks a grant locally: the signature (EdDSA only), issuer, audience and the
 * claims' shape; an expired grant is told apart (a replay of a payment made
 * in time may still be answered), everything else is refused.
 */
export async function verifyGrant(token: string, key: KeyObject, now: Date = new Date()): Promise<GrantCheck> {
  let payload: JWTPayload;
  let expired = false;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [GRANT_ALGORITHM],
      issuer: GRANT_ISSUER,
      audience: GRANT_AUDIENCE,
      requiredClaims: ['exp', 'jti'],
      currentDate: now,
    }));
  } catch (error: unknown) {
    // jose checks the signature before the claims: an expired grant's payload is the policy's own.
    if (error instanceof errors.JWTExpired) {
      payload = error.payload;
      expired = true;
    } else return { valid: false, reason: jwsRefusal(error, 'the policy') };
  }
  const parsed = GrantClaims.safeParse(payload);
  if (!parsed.success)
    return { valid: false, reason: `its claims are malformed (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})` };
  if (parsed.data.jti !== parsed.data.reservationId) return { valid: false, reason: 'its jti is not its reservation' };
  return { valid: true, claims: parsed.data, expired };
}
