import type { PaymentRecord } from '@nexus/stores';
import { X402Eip3009Payload, X402PaymentPayload } from '@nexus/types';

/** The signed authorization of an x402-out payment, as its ledger row keeps it (the PaymentPayload JSON). */
export interface SignedAuthorization {
  /** the x402 v2 PaymentPayload handed to the gateway, as it was signed */
  payload: X402PaymentPayload;
  authorization: X402Eip3009Payload['authorization'];
  /** the token's EIP-712 domain name and version, from the offer it was signed for */
  domain: { name: string; version: string };
}

/** Reads the payload an x402-out payment was opened with; throws on a row that has none (it never could: it is written with it). */
export function signedAuthorizationOf(payment: Pick<PaymentRecord, 'id' | 'x402Payload'>): SignedAuthorization {
  if (!payment.x402Payload) throw new Error(`x402-out payment ${payment.id} has no signed payload in the ledger`);
  return authorizationIn(X402PaymentPayload.parse(JSON.parse(payment.x402Payload)), payment.id);
}

/** The authorization and domain of a signed payload (`what` names it in an error). */
export function authorizationIn(payload: X402PaymentPayload, what = 'the signed payload'): SignedAuthorization {
  const { authorization } = X402Eip3009Payload.parse(payload.payload);
  const { name, version } = payload.accepted.extra;
  if (typeof name !== 'string' || typeof version !== 'string')
    throw new Error(`x402-out payment ${what} was signed for an offer without its token's EIP-712 domain`);
  return { payload, authorization, domain: { name, version } };
}
