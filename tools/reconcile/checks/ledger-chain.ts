import { fromTokenUnits, paymentRefOf, toTokenUnits } from '@nexus/chain';
import type { Payment } from '@nexus/types';
import { Findings, mnee, plural, sumOf, units, type CheckOutcome } from '../findings';
import type { ChainPayment, ChainRefund, ChainSnapshot, LedgerSnapshot } from '../snapshots';
import { routerPaymentsOf } from './x402-payments';

const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** Base units as token units; null when the token cannot represent them (then they cannot match anything on chain). */
function tokens(baseUnits: bigint, decimals: number): bigint | null {
  try {
    return toTokenUnits(baseUnits, decimals);
  } catch {
    return null;
  }
}

/**
 * The ledger against the router's events: every settled chain-mode payment
 * has its PaymentMade (amount, payee, service, reference, transaction), a
 * REFUNDED one also its PaymentRefunded and a SUCCESS one none; every
 * PaymentMade from the treasury is in the ledger; paid, refunded and net agree.
 * Anybody can pay through the router (under any reference, ours included):
 * events of other payers and logs that do not decode are skipped and
 * counted, never compared and never thrown.
 */
export function checkLedgerChain(allOfLedger: LedgerSnapshot, chain: ChainSnapshot): CheckOutcome {
  // x402 and x402-out payments moved through the token's transferWithAuthorization, not the router: none of its events name them
  const ledger = { ...allOfLedger, payments: routerPaymentsOf(allOfLedger.payments) };
  const findings = new Findings('ledger-chain');
  const decimals = chain.tokenDecimals;
  const fromTreasury = chain.payments.filter((event) => same(event.payer, chain.treasury));
  const refundsToTreasury = chain.refunds.filter((event) => same(event.payer, chain.treasury));
  const skipped = {
    foreign: chain.payments.length - fromTreasury.length + (chain.refunds.length - refundsToTreasury.length),
    malformed: chain.malformed.length,
  };
  const madeByRef = new Map(fromTreasury.map((event) => [event.paymentRef.toLowerCase(), event]));
  const refundByRef = new Map(refundsToTreasury.map((event) => [event.paymentRef.toLowerCase(), event]));
  const deployedAt = chain.deployedAt === null ? null : Date.parse(chain.deployedAt);

  const known = new Set<string>();
  const settled: Payment[] = [];
  const inFlightRefs = new Set<string>();
  for (const payment of ledger.payments) {
    const ref = (payment.paymentRef ?? paymentRefOf(payment.id)).toLowerCase();
    known.add(ref);
    if (payment.mode !== 'chain') continue;
    const made = madeByRef.get(ref);
    const refund = refundByRef.get(ref);
    const record = { type: 'payment' as const, id: payment.id };
    if (!made && deployedAt !== null && Date.parse(payment.createdAt) < deployedAt && payment.status !== 'PENDING') {
      findings.cannotCheck(
        'PREDATES_CHAIN',
        record,
        `${payment.status} payment of ${payment.amount} was made ${payment.createdAt}, before this chain's contracts were deployed (${chain.deployedAt}): a restarted local node keeps no history`,
      );
      continue;
    }
    switch (payment.status) {
      case 'SUCCESS':
      case 'REFUNDED': {
        settled.push(payment);
        if (!made) {
          findings.disagree('PAYMENT_NOT_ON_CHAIN', record, `ledger says ${payment.status} but the router has no PaymentMade for it`, {
            ledger: `${payment.status} ${payment.amount} to ${payment.payee} for ${payment.serviceId}, tx ${payment.txHash ?? 'none'}, ref ${ref}`,
            chain: `no PaymentMade with ref ${ref} from the treasury in blocks ${chain.fromBlock}–${chain.toBlock}`,
          });
          break;
        }
        comparePayment(findings, payment, made, decimals);
        if (payment.status === 'REFUNDED') compareRefund(findings, payment, refund, decimals);
        else if (refund)
          findings.disagree('REFUND_NOT_IN_LEDGER', record, 'the router refunded this payment but the ledger still says SUCCESS', {
            ledger: `SUCCESS ${payment.amount}`,
            chain: `PaymentRefunded ${mnee(fromTokenUnits(refund.amount, decimals))} in tx ${refund.txHash}`,
          });
        break;
      }
      case 'PENDING':
        if (made) inFlightRefs.add(ref);
        findings.flying(
          'PAYMENT_PENDING',
          record,
          made
            ? `ledger says PENDING; the router already paid it in tx ${made.txHash}: the next attempt with its key records it`
            : 'ledger says PENDING and the router has not paid it (yet)',
        );
        break;
      case 'FAILED':
      case 'MOCK':
        if (made)
          findings.disagree('PAID_ON_CHAIN_NOT_IN_LEDGER', record, `ledger says ${payment.status} but the router paid it`, {
            ledger: `${payment.status} ${payment.amount}${payment.failure ? ` (${payment.failure.code})` : ''}`,
            chain: `PaymentMade ${mnee(fromTokenUnits(made.amount, decimals))} to ${made.payee} in tx ${made.txHash}`,
          });
        break;
    }
  }

  for (const event of fromTreasury) {
    if (known.has(event.paymentRef.toLowerCase())) continue;
    findings.disagree(
      'PAYMENT_NOT_IN_LEDGER',
      { type: 'chain-payment', id: event.txHash },
      'the treasury paid through the router but the ledger has no payment with this reference',
      {
        ledger: `no payment with ref ${event.paymentRef}`,
        chain: `PaymentMade ${mnee(fromTokenUnits(event.amount, decimals))} to ${event.payee} for ${event.serviceId} in block ${event.blockNumber}`,
      },
    );
  }

  // Totals over settled payments: a PENDING payment the router already paid is in flight on both sides.
  const ledgerPaid = sumOf(settled, (p) => units(p.amount));
  const ledgerRefunded = sumOf(
    settled.filter((p) => p.status === 'REFUNDED'),
    (p) => units(p.amount),
  );
  const counted = fromTreasury.filter((event) => !inFlightRefs.has(event.paymentRef.toLowerCase()));
  const countedRefs = new Set(counted.map((event) => event.paymentRef.toLowerCase()));
  const chainPaidTokens = sumOf(counted, (event) => event.amount);
  const chainRefundedTokens = sumOf(
    refundsToTreasury.filter((event) => countedRefs.has(event.paymentRef.toLowerCase())),
    (event) => event.amount,
  );
  const totals = {
    paid: [ledgerPaid, chainPaidTokens],
    refunded: [ledgerRefunded, chainRefundedTokens],
    net: [ledgerPaid - ledgerRefunded, chainPaidTokens - chainRefundedTokens],
  } as const;
  for (const [name, [ledgerUnits, chainTokens]] of Object.entries(totals)) {
    if (tokens(ledgerUnits, decimals) !== chainTokens)
      findings.disagree('TOTAL_DIFFERS', { type: 'total', id: name }, `${name} differs between the ledger and the chain`, {
        ledger: mnee(ledgerUnits),
        chain: mnee(fromTokenUnits(chainTokens, decimals)),
      });
  }

  const figures = (paid: bigint, refunded: bigint) => ({ paid: mnee(paid), refunded: mnee(refunded), net: mnee(paid - refunded) });
  const chainFigures = figures(fromTokenUnits(chainPaidTokens, decimals), fromTokenUnits(chainRefundedTokens, decimals));
  const agree = findings.discrepancies.length === 0;
  const extra = [
    findings.inFlight.length > 0 ? `${plural(findings.inFlight.length, 'payment')} pending` : '',
    findings.unchecked.length > 0 ? `${plural(findings.unchecked.length, 'payment')} older than this chain` : '',
    skippedSummary(skipped),
  ].filter(Boolean);
  return {
    summary:
      `${plural(settled.length, 'settled payment')}, ${plural(counted.length, 'PaymentMade event')}: ` +
      (agree
        ? `paid ${chainFigures.paid}, refunded ${chainFigures.refunded}, net ${chainFigures.net} on both sides`
        : `ledger net ${mnee(ledgerPaid - ledgerRefunded)}, chain net ${chainFigures.net}`) +
      (extra.length > 0 ? ` (${extra.join(', ')})` : ''),
    amounts: { ledger: figures(ledgerPaid, ledgerRefunded), chain: chainFigures },
    counts: {
      ledger: { settled: settled.length },
      chain: {
        payments: counted.length,
        refunds: chainRefundedCount(refundsToTreasury, countedRefs),
        foreignEvents: skipped.foreign,
        malformedEvents: skipped.malformed,
      },
    },
    findings,
  };
}

/** Router events that are not the treasury's or do not decode: skipped, and said so. */
function skippedSummary(skipped: { foreign: number; malformed: number }): string {
  const total = skipped.foreign + skipped.malformed;
  if (total === 0) return '';
  const parts = [
    skipped.foreign > 0 ? `${skipped.foreign} of other payers` : '',
    skipped.malformed > 0 ? `${skipped.malformed} malformed` : '',
  ].filter(Boolean);
  return `${plural(total, 'router event')} skipped: ${parts.join(', ')}`;
}

function chainRefundedCount(refunds: ChainRefund[], refs: Set<string>): number {
  return refunds.filter((event) => refs.has(event.paymentRef.toLowerCase())).length;
}

function comparePayment(findings: Findings, payment: Payment, made: ChainPayment, decimals: number): void {
  const differences: string[] = [];
  if (tokens(units(payment.amount), decimals) !== made.amount) differences.push('amount');
  if (!same(payment.payee, made.payee)) differences.push('payee');
  if (payment.serviceId !== made.serviceId) differences.push('service');
  if (payment.txHash !== null && !same(payment.txHash, made.txHash)) differences.push('transaction');
  if (differences.length === 0) return;
  findings.disagree(
    'PAYMENT_DIFFERS_ON_CHAIN',
    { type: 'payment', id: payment.id },
    `the router's PaymentMade differs from the ledger in ${differences.join(', ')}`,
    {
      ledger: `${payment.amount} to ${payment.payee} for ${payment.serviceId} in tx ${payment.txHash ?? 'none'}`,
      chain: `${mnee(fromTokenUnits(made.amount, decimals))} to ${made.payee} for ${made.serviceId} in tx ${made.txHash}`,
    },
  );
}

function compareRefund(findings: Findings, payment: Payment, refund: ChainRefund | undefined, decimals: number): void {
  const record = { type: 'payment' as const, id: payment.id };
  if (!refund) {
    findings.disagree('REFUND_NOT_ON_CHAIN', record, 'ledger says REFUNDED but the router has no PaymentRefunded for it', {
      ledger: `REFUNDED ${payment.amount}, refund tx ${payment.refund?.txHash ?? 'none'}`,
      chain: 'no PaymentRefunded with its ref',
    });
    return;
  }
  const differences: string[] = [];
  if (tokens(units(payment.amount), decimals) !== refund.amount) differences.push('amount');
  if (payment.refund?.txHash && !same(payment.refund.txHash, refund.txHash)) differences.push('transaction');
  if (differences.length > 0)
    findings.disagree(
      'REFUND_DIFFERS_ON_CHAIN',
      record,
      `the router's PaymentRefunded differs from the ledger in ${differences.join(', ')}`,
      {
        ledger: `REFUNDED ${payment.amount}, refund tx ${payment.refund?.txHash ?? 'none'}`,
        chain: `PaymentRefunded ${mnee(fromTokenUnits(refund.amount, decimals))} in tx ${refund.txHash}`,
      },
    );
}
