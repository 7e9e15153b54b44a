import { z } from 'zod';
import { PositiveMoney } from './payment';

/** Who signs a grant and who may spend it (the JWS `iss` and `aud`). */
export const GRANT_ISSUER = 'nexus-policy';
export const GRANT_AUDIENCE = 'nexus-payment';
/** The one algorithm a grant is signed with: Ed25519. */
export const GRANT_ALGORITHM = 'EdDSA';

/**
 * What the policy grants with a hold: the payment service may pay at most
 * `amount` for `serviceId`, once, for this reservation, until `exp`.
 * `jti` is the reservation id. The payee is not in it: the payment service
 * takes it from its own services.yaml.
 */
/** An id in a grant: bounded, and no NUL (the ledger's PostgreSQL text cannot hold one). */
const GrantText = z
  .string()
  .min(1)
  .max(100)
  .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');

export const GrantClaims = z.object({
  iss: z.literal(GRANT_ISSUER),
  aud: z.union([z.literal(GRANT_AUDIENCE), z.array(z.string()).refine((aud) => aud.includes(GRANT_AUDIENCE))]),
  jti: GrantText,
  /** seconds since the epoch: the hold's expiry */
  exp: z.number().int().positive(),
  iat: z.number().int().positive().optional(),
  decisionId: GrantText,
  reservationId: GrantText,
  agentId: GrantText,
  serviceId: GrantText,
  variant: GrantText,
  amount: PositiveMoney,
});
export type GrantClaims = z.infer<typeof GrantClaims>;

/** The claims the policy puts in a grant (the registered ones are set by the signer). */
export type GrantTerms = Pick<GrantClaims, 'decisionId' | 'reservationId' | 'agentId' | 'serviceId' | 'variant' | 'amount'> & {
  expiresAt: Date;
};
