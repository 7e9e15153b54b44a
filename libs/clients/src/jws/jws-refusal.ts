import { errors } from 'jose';

/** Why jose refused a token, in words for the one who sent it; `signer` names whose signature was expected. */
export function jwsRefusal(error: unknown, signer: string): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return `its signature is not ${signer}’s`;
  if (error instanceof errors.JWTClaimValidationFailed) return `its ${error.claim} claim is not accepted (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is not signed with EdDSA';
  if (error instanceof errors.JOSEError) return `it is not a valid JWS (${error.code})`;
  return 'it is not a valid JWS';
}
