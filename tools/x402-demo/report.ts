import { formatUnits } from 'ethers';
import type { GatewayCall, X402ApiObserved } from './pay-x402-api';

/** What the run saw, amounts in the token's units (bigint), before anything is judged or formatted. */
export interface X402Observed {
  /** the token's decimals */
  decimals: number;
  /** the x402 network the demo pays on, `eip155:31337` */
  network: string;
  /** the stand-in MNEE token of the local deployment */
  token: string;
  payer: string;
  fundTx: string;
  funded: bigint;
  /** the 402 offer the client took (its `exact` entry on the local chain), null when there was none */
  offer: { scheme: string; network: string; asset: string; payTo: string; amount: bigint } | null;
  paid: { status: number; base: string | null; price: string | null; transaction: string | null; success: boolean };
  balances: { payer: BalancePair; payee: BalancePair };
  replay: { status: number; offered: boolean; payerAfter: bigint; payeeAfter: bigint };
  /** the second part: our agent pays an external x402 API through the gateway */
  api: X402ApiObserved;
}

interface BalancePair {
  before: bigint;
  after: bigint;
}

export interface X402Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The machine-readable report (`--json`): every amount an exact decimal string of MNEE. */
export interface X402DemoReport {
  ok: boolean;
  payer: string;
  funding: { amount: string; txHash: string };
  offer: { scheme: string; network: string; asset: string; payTo: string; amount: string } | null;
  paid: { status: number; base: string | null; price: string | null; transaction: string | null };
  balances: { payer: { before: string; after: string }; payee: { address: string; before: string; after: string } };
  replay: { status: number };
  api: {
    serviceId: string;
    url: string;
    paid: { status: number; action: string | null; amount: string | null; payment: string | null; transaction: string | null };
    balances: { treasury: { before: string; after: string }; payTo: { address: string; before: string; after: string } };
    aboveMax: { status: number; action: string | null; reason: string | null; amount: string | null };
  };
  checks: X402Check[];
}

/** Token units as an exact decimal string of MNEE, without a trailing `.0`. */
export const mnee = (units: bigint, decimals: number) => formatUnits(units, decimals).replace(/\.0$/, '');

/** What was expected of the run, one check each. */
export function x402Checks(seen: X402Observed): X402Check[] {
  const { offer, paid, balances, replay } = seen;
  const amount = offer?.amount ?? 0n;
  const units = (value: bigint) => `${mnee(value, seen.decimals)} MNEE`;
  const payerMoved = balances.payer.before - balances.payer.after;
  const payeeMoved = balances.payee.after - balances.payee.before;
  return [
    {
      name: 'the 402 offers the exact scheme, paid in the local MNEE',
      ok:
        offer !== null &&
        offer.scheme === 'exact' &&
        offer.network === seen.network &&
        offer.asset.toLowerCase() === seen.token.toLowerCase(),
      detail: offer ? `${offer.scheme} on ${offer.network}, asset ${offer.asset}` : `no exact offer on ${seen.network}`,
    },
    {
      name: 'the paid call answers 200 with an ETH price',
      ok: paid.status === 200 && paid.base === 'ETH' && /^\d+(\.\d+)?$/.test(paid.price ?? ''),
      detail: `status ${paid.status}, price ${paid.price ?? 'none'}`,
    },
    {
      name: 'PAYMENT-RESPONSE reports the settlement',
      ok: paid.success && /^0x[0-9a-f]{64}$/i.test(paid.transaction ?? ''),
      detail: paid.transaction ?? 'no PAYMENT-RESPONSE',
    },
    {
      name: 'the payer paid exactly the price',
      ok: offer !== null && payerMoved === amount,
      detail: `${units(payerMoved)} moved, price ${units(amount)}`,
    },
    {
      name: 'the payee received exactly the price',
      ok: offer !== null && payeeMoved === amount,
      detail: `${units(payeeMoved)} moved, price ${units(amount)}`,
    },
    {
      name: 'the same payment sent again is refused (402), nothing moves',
      ok:
        replay.status === 402 && replay.offered && replay.payerAfter === balances.payer.after && replay.payeeAfter === balances.payee.after,
      detail: `status ${replay.status}`,
    },
    ...apiChecks(seen.api, units),
  ];
}

const decided = (call: GatewayCall) => `${call.status} ${call.action ?? 'no decision'}${call.reason ? ` ${call.reason}` : ''}`;

/** The second part: user-agent pays the x402 API through the gateway, under its policy. */
function apiChecks(api: X402ApiObserved, units: (value: bigint) => string): X402Check[] {
  const { paid, balances, aboveMax } = api;
  const treasuryMoved = balances.treasury.before - balances.treasury.after;
  const payToMoved = balances.payTo.after - balances.payTo.before;
  return [
    {
      name: `the gateway paid ${api.serviceId} for user-agent at the price of its 402 answer, on chain`,
      ok:
        paid.status === 200 &&
        paid.action === 'ALLOWED' &&
        paid.amount === units(api.price).replace(' MNEE', '') &&
        paid.payment?.status === 'SUCCESS' &&
        /^0x[0-9a-f]{64}$/i.test(paid.payment.txHash ?? ''),
      detail: `${decided(paid)} at ${paid.amount ?? '?'}, payment ${paid.payment?.status ?? 'none'}`,
    },
    {
      name: `the answer is ${api.serviceId}'s own`,
      ok: typeof paid.result === 'object' && paid.result !== null && (paid.result as { city?: unknown }).city === 'Paris',
      detail: JSON.stringify(paid.result)?.slice(0, 120) ?? 'none',
    },
    {
      name: 'the treasury paid exactly the price, and the API was paid exactly that',
      ok: treasuryMoved === api.price && payToMoved === api.price,
      detail: `treasury ${units(treasuryMoved)}, payTo ${units(payToMoved)}, price ${units(api.price)}`,
    },
    {
      name: 'a 402 above maxPrice is refused before paying (PRICE_ABOVE_MAX), nothing moves',
      ok: aboveMax.action === 'REJECTED' && aboveMax.reason === 'PRICE_ABOVE_MAX' && aboveMax.payment === null && !aboveMax.moved,
      detail: `${decided(aboveMax)}${aboveMax.moved ? ', money moved' : ''}`,
    },
  ];
}

export function x402Report(seen: X402Observed): X402DemoReport {
  const checks = x402Checks(seen);
  const amount = (value: bigint) => mnee(value, seen.decimals);
  const { offer, paid, balances } = seen;
  return {
    ok: checks.every((check) => check.ok),
    payer: seen.payer,
    funding: { amount: amount(seen.funded), txHash: seen.fundTx },
    offer: offer && { scheme: offer.scheme, network: offer.network, asset: offer.asset, payTo: offer.payTo, amount: amount(offer.amount) },
    paid: { status: paid.status, base: paid.base, price: paid.price, transaction: paid.transaction },
    balances: {
      payer: { before: amount(balances.payer.before), after: amount(balances.payer.after) },
      payee: { address: offer?.payTo ?? '', before: amount(balances.payee.before), after: amount(balances.payee.after) },
    },
    replay: { status: seen.replay.status },
    api: {
      serviceId: seen.api.serviceId,
      url: seen.api.url,
      paid: {
        status: seen.api.paid.status,
        action: seen.api.paid.action,
        amount: seen.api.paid.amount,
        payment: seen.api.paid.payment?.status ?? null,
        transaction: seen.api.paid.payment?.txHash ?? null,
      },
      balances: {
        treasury: { before: amount(seen.api.balances.treasury.before), after: amount(seen.api.balances.treasury.after) },
        payTo: { address: seen.api.payTo, before: amount(seen.api.balances.payTo.before), after: amount(seen.api.balances.payTo.after) },
      },
      aboveMax: {
        status: seen.api.aboveMax.status,
        action: seen.api.aboveMax.action,
        reason: seen.api.aboveMax.reason,
        amount: seen.api.aboveMax.amount,
      },
    },
    checks,
  };
}
