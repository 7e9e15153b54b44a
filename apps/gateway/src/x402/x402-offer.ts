import type { PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { MONEY_DECIMALS, fromBaseUnits } from '@nexus/types';

/** The chain the payment service pays on: an offer must be for it. */
export interface PayingChain {
  /** CAIP-2, `eip155:<chainId>` */
  network: string;
  token: { address: string; decimals: number };
}

export type OfferChoice =
  { ok: true; accepted: PaymentRequirements; resource: PaymentRequired['resource']; price: string } | { ok: false; why: string };

/**
 * Picks the offer of a 402 answer the treasury can pay: x402 v2, `exact` on
 * our chain, in MNEE, by ERC-3009 (not the Permit2 path, which would need the
 * treasury's approval of Permit2), to the `payTo` services.yaml names, for an amount the
 * ledger can hold exactly (it keeps 10^-6 MNEE). The price is that amount in
 * MNEE; the policy caps it by `maxPrice`.
 */
export function chooseOffer(required: PaymentRequired, chain: PayingChain, payTo: string): OfferChoice {
  if (required.x402Version !== 2) return { ok: false, why: `it speaks x402 version ${String(required.x402Version)}, not 2` };
  const ours = required.accepts.filter(
    (offer) => offer.scheme === 'exact' && offer.network === chain.network && sameAddress(offer.asset, chain.token.address),
  );
  if (ours.length === 0) {
    const offered = required.accepts.map((offer) => `${offer.scheme} on ${offer.network} in ${offer.asset}`).join('; ') || 'nothing';
    return { ok: false, why: `it offers no exact payment in MNEE on ${chain.network} (it offers ${offered})` };
  }
  const toPayees = ours.filter((offer) => sameAddress(offer.payTo, payTo));
  if (toPayees.length === 0)
    return { ok: false, why: `it asks payment to ${ours[0]?.payTo ?? '?'}, not to ${payTo} as services.yaml names` };
  // the treasury signs ERC-3009 authorizations only: the Permit2 path would need its approval of Permit2
  const toPayee = toPayees.find(
    (offer) => offer.extra?.['assetTransferMethod'] === undefined || offer.extra['assetTransferMethod'] === 'eip3009',
  );
  if (!toPayee) return { ok: false, why: 'it offers MNEE only through Permit2, and the treasury pays by ERC-3009 authorizations only' };
  const units = tokenUnits(toPayee.amount);
  if (units === undefined || units <= 0n)
    return { ok: false, why: `its amount "${toPayee.amount}" is not a positive whole number of token units` };
  const scale = 10n ** BigInt(Math.max(0, chain.token.decimals - MONEY_DECIMALS));
  if (units % scale !== 0n) return { ok: false, why: `its amount ${toPayee.amount} is finer than the ledger's 10^-${MONEY_DECIMALS} MNEE` };
  return { ok: true, accepted: toPayee, resource: required.resource, price: fromBaseUnits(units / scale) };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The same 20-byte address, whatever the letter case (no checksum library: ethers stays out of the gateway). */
function sameAddress(a: string, b: string): boolean {
  return ADDRESS.test(a) && ADDRESS.test(b) && a.toLowerCase() === b.toLowerCase();
}

function tokenUnits(amount: string): bigint | undefined {
  return /^[0-9]{1,78}$/.test(amount) ? BigInt(amount) : undefined;
}
