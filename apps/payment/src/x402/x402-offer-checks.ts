import { AppError } from '@nexus/service-kit';
import type { X402PaymentRequirements } from '@nexus/types';
import { getAddress, isAddress } from 'ethers';

/**
 * What the treasury signs for an external x402 service must be exactly what
 * the grant allows: the gateway read the offer from the service, so nothing
 * in it is trusted until it matches the grant and our own services.yaml.
 */
export interface ExpectedOffer {
  /** eip155:<our chainId> */
  network: string;
  /** our MNEE token */
  token: string;
  /** the x402 service's `payTo` in our services.yaml */
  payTo: string;
  /** the grant's amount, in token units */
  amount: bigint;
}

const sameAddress = (a: string, b: string) => isAddress(a) && isAddress(b) && getAddress(a) === getAddress(b);

/** 422 X402_OFFER_REFUSED naming the field of `accepted` that is not the grant's; nothing was signed. */
export function offerRefused(field: string, message: string): AppError {
  return new AppError('X402_OFFER_REFUSED', `the x402 offer was refused: ${message}; nothing was signed`, {
    details: [{ path: `body.accepted.${field}`, message }],
  });
}

/**
 * Checks the offer the gateway chose against the grant, in order: the scheme,
 * the network, the token, the payee, the amount, and the token's EIP-712
 * domain (`extra.name`, `extra.version`) the authorization is signed over.
 * Only an ERC-3009 authorization is signed: the library would sign a Permit2
 * one (an approval of the treasury's funds) when `extra` asks for it.
 */
export function checkOffer(accepted: X402PaymentRequirements, expected: ExpectedOffer): void {
  if (accepted.scheme !== 'exact') throw offerRefused('scheme', `the scheme must be exact, not ${accepted.scheme}`);
  if (accepted.network !== expected.network) throw offerRefused('network', `the network must be ${expected.network}`);
  if (!sameAddress(accepted.asset, expected.token)) throw offerRefused('asset', `the asset must be the MNEE token ${expected.token}`);
  if (!sameAddress(accepted.payTo, expected.payTo))
    throw offerRefused('payTo', `payTo must be ${expected.payTo}, the payee services.yaml names for this service`);
  if (BigInt(accepted.amount) !== expected.amount)
    throw offerRefused('amount', `the amount must be the grant's, ${expected.amount} token units`);
  const { name, version, assetTransferMethod } = accepted.extra;
  if (typeof name !== 'string' || name.length === 0) throw offerRefused('extra.name', "extra.name must name the token's EIP-712 domain");
  if (typeof version !== 'string' || version.length === 0)
    throw offerRefused('extra.version', "extra.version must name the token's EIP-712 domain version");
  if (assetTransferMethod !== undefined && assetTransferMethod !== 'eip3009')
    throw offerRefused('extra.assetTransferMethod', 'only an ERC-3009 authorization (eip3009) is signed');
}
