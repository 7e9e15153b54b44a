import { decodeBytes32String, encodeBytes32String, id } from 'ethers';

/**
 * The router's once-only reference of a payment: derived from the ledger's
 * payment id, so every retry of the same payment carries the same reference
 * and the contract refuses a second transfer.
 */
export function paymentRefOf(paymentId: string): string {
  return id(`nexus-payment:${paymentId}`);
}

/** A service id (e.g. `IMAGE_GEN`, at most 31 bytes) as the router's bytes32 field. */
export function serviceIdToBytes32(serviceId: string): string {
  return encodeBytes32String(serviceId);
}

export function serviceIdFromBytes32(value: string): string {
  return decodeBytes32String(value);
}
