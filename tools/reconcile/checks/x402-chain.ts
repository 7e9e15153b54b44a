import { fromTokenUnits, toTokenUnits } from '@nexus/chain';
import type { Payment } from '@nexus/types';
import { Findings, mnee, plural, sumOf, units, type CheckOutcome } from '../findings';
import type { ChainAuthorization, ChainPermit2Settlement, ChainSnapshot, ChainTransfer, LedgerSnapshot } from '../snapshots';
import { isX402Out, movedByAuthorization } from './x402-payments';

const lower = (value: string | null | undefined) => (value ?? '').toLowerCase();
const keyOf = (authorizer: string | null | undefined, nonce: string | null | undefined) => `${lower(authorizer)}:${lower(nonce)}`;

/** Base units as token units; null when the token cannot represent them (then they match no transfer). */
function tokens(baseUnits: bigint, decimals: number): bigint | null {
  try {
    return toTokenUnits(baseUnits, decimals);
  } catch {
    return null;
  }
}

/** An AuthorizationUsed with the Transfer of its authorizer to one of our payees in the same transaction (the nearest log), if any. */
interface Settlement {
  authorization: ChainAuthorization;
  transfer: ChainTransfer | undefined;
}

function settlementsOf(chain: ChainSnapshot): Settlement[] {
  const byTx = new Map<string, ChainTransfer[]>();
  for (const transfer of chain.transfers) {
    const list = byTx.get(lower(transfer.txHash)) ?? [];
    list.push(transfer);
    byTx.set(lower(transfer.txHash), list);
  }
  const taken = new Set<ChainTransfer>();
  return chain.authorizations.map((authorization) => {
    const candidates = (byTx.get(lower(authorization.txHash)) ?? []).filter(
      (transfer) => !taken.has(transfer) && lower(transfer.from) === lower(authorization.authorizer),
    );
    candidates.sort((a, b) => Math.abs(a.logIndex - authorization.logIndex) - Math.abs(b.logIndex - authorization.logIndex));
    const transfer = candidates[0];
    if (transfer) taken.add(transfer);
    return { authorization, transfer };
  });
}

/** A Permit2 settlement of the x402 proxy with the Transfer to one of our payees in its transaction (the nearest log), if any. */
interface Permit2Settlement {
  settlement: ChainPermit2Settlement;
  transfer: ChainTransfer | undefined;
}

/**
 * The Permit2 path has no AuthorizationUsed: the proxy's `Settled` marks the
 * transaction and the token's Transfer in it names payer, payee and amount.
 * Transfers an AuthorizationUsed already took are not taken again.
 */
function permit2SettlementsOf(chain: ChainSnapshot, taken: ReadonlySet<ChainTransfer>): Permit2Settlement[] {
  const used = new Set(taken);
  return chain.permit2Settlements.map((settlement) => {
    const candidates = chain.transfers.filter((transfer) => !used.has(transfer) && lower(transfer.txHash) === lower(settlement.txHash));
    candidates.sort((a, b) => Math.abs(a.logIndex - settlement.logIndex) - Math.abs(b.logIndex - settlement.logIndex));
    const transfer = candidates[0];
    if (transfer) used.add(transfer);
    return { settlement, transfer };
  });
}

/**
 * An agent's x402 payment the chain shows settled, for a call its service
 * reported it did not serve: money moved with nothing in return, for an
 * operator to take up with the service.
 */
function paidNotServed(findings: Findings, payment: Payment): void {
  findings.disagree(
    'X402_PAID_NOT_SERVED',
    { type: 'payment', id: payment.id },
    `x402 payment ${payment.id} to ${payment.serviceId} settled on chain (tx ${payment.txHash ?? 'none'}) but the service did not serve the call`,
    {
      ledger: `x402-out ${payment.amount} to ${payment.payee} for ${payment.agentId} / ${payment.serviceId}, tx ${payment.txHash ?? 'none'}, served: false`,
    },
  );
}

/**
 * The ledger's x402 payments (a third party's through our facilitator, and
 * our agents' x402-out ones, the treasury paying) against the token's events
 * (ERC-3009): each settled x402 payment has, in its transaction, the AuthorizationUsed of its
 * payer and nonce and the Transfer from its payer to its payee of exactly its
 * amount; every AuthorizationUsed whose Transfer goes to one of our providers'
 * payees is in the ledger (a settlement the facilitator never recorded).
 * Authorizations paying anybody else are none of ours and are skipped.
 * A payment of the Permit2 path has no AuthorizationUsed (its nonce is
 * Permit2's, which emits nothing when a transfer uses one): its transaction
 * must hold the x402 proxy's `Settled` and the Transfer from its payer to its
 * payee of exactly its amount, and every such settlement paying one of our
 * payees must be in the ledger with its transaction and payer.
 */
export function checkX402Chain(ledger: LedgerSnapshot, chain: ChainSnapshot): CheckOutcome {
  const findings = new Findings('x402-chain');
  const decimals = chain.tokenDecimals;
  const payees = new Set(chain.payees.map(lower));
  const settlements = settlementsOf(chain);
  const byKey = new Map(
    settlements.map((settlement) => [keyOf(settlement.authorization.authorizer, settlement.authorization.nonce), settlement]),
  );
  const permit2 = permit2SettlementsOf(
    chain,
    new Set(settlements.flatMap((settlement) => (settlement.transfer ? [settlement.transfer] : []))),
  );
  const permit2Of = (payment: Payment) =>
    permit2.find(
      (p) =>
        p.transfer !== undefined && lower(p.settlement.txHash) === lower(payment.txHash) && lower(p.transfer.from) === lower(payment.payer),
    );
  const deployedAt = chain.deployedAt === null ? null : Date.parse(chain.deployedAt);
  const range = `blocks ${chain.fromBlock}–${chain.toBlock}`;

  const x402 = ledger.payments.filter(movedByAuthorization);
  const known = new Set(x402.map((payment) => keyOf(payment.payer, payment.authorizationNonce)));
  const knownTransactions = new Set(x402.map((payment) => keyOf(payment.payer, payment.txHash)));
  const settled: Payment[] = [];
  for (const payment of x402) {
    if (payment.mode !== 'chain' || payment.status !== 'SUCCESS') continue;
    const record = { type: 'payment' as const, id: payment.id };
    const found = byKey.get(keyOf(payment.payer, payment.authorizationNonce));
    const viaPermit2 = found ? undefined : permit2Of(payment);
    if (isX402Out(payment) && payment.served === false) paidNotServed(findings, payment);
    const ledgerSide = `${isX402Out(payment) ? 'x402-out' : 'x402'} ${payment.amount} from ${payment.payer ?? 'no payer'} to ${payment.payee}, nonce ${payment.authorizationNonce ?? 'none'}, tx ${payment.txHash ?? 'none'}`;
    if (!found && !viaPermit2 && deployedAt !== null && Date.parse(payment.createdAt) < deployedAt) {
      findings.cannotCheck(
        'PREDATES_CHAIN',
        record,
        `x402 payment of ${payment.amount} was made ${payment.createdAt}, before this chain's contracts were deployed (${chain.deployedAt}): a restarted local node keeps no history`,
      );
      continue;
    }
    settled.push(payment);
    if (viaPermit2?.transfer) {
      const { transfer } = viaPermit2;
      const differences = [
        ...(lower(transfer.to) !== lower(payment.payee) ? ['payee'] : []),
        ...(tokens(units(payment.amount), decimals) !== transfer.amount ? ['amount'] : []),
      ];
      if (differences.length > 0)
        findings.disagree(
          'X402_DIFFERS_ON_CHAIN',
          record,
          `the token's Permit2 settlement differs from the ledger in ${differences.join(', ')}`,
          {
            ledger: ledgerSide,
            chain: `Permit2 settlement through the x402 proxy in tx ${transfer.txHash}, Transfer ${mnee(fromTokenUnits(transfer.amount, decimals))} from ${transfer.from} to ${transfer.to}`,
          },
        );
      continue;
    }
    if (!found) {
      findings.disagree(
        'X402_NOT_ON_CHAIN',
        record,
        'ledger says SUCCESS but the token has no AuthorizationUsed of its payer and nonce, nor its transaction a Permit2 settlement from its payer',
        {
          ledger: ledgerSide,
          chain: `no AuthorizationUsed(${payment.payer ?? '?'}, ${payment.authorizationNonce ?? '?'}) of token ${chain.token ?? 'none'} in ${range}, and no Permit2 settlement from ${payment.payer ?? '?'} in tx ${payment.txHash ?? 'none'}`,
        },
      );
      continue;
    }
    const { authorization, transfer } = found;
    const differences: string[] = [];
    if (payment.txHash !== null && lower(payment.txHash) !== lower(authorization.txHash)) differences.push('transaction');
    if (!transfer) differences.push('transfer');
    else {
      if (lower(transfer.to) !== lower(payment.payee)) differences.push('payee');
      if (tokens(units(payment.amount), decimals) !== transfer.amount) differences.push('amount');
    }
    if (differences.length === 0) continue;
    findings.disagree(
      'X402_DIFFERS_ON_CHAIN',
      record,
      transfer
        ? `the token's settlement differs from the ledger in ${differences.join(', ')}`
        : `the token's AuthorizationUsed has no Transfer from the payer to one of our payees in its transaction${differences.length > 1 ? `, and differs in ${differences.filter((d) => d !== 'transfer').join(', ')}` : ''}`,
      {
        ledger: ledgerSide,
        chain:
          `AuthorizationUsed in tx ${authorization.txHash}` +
          (transfer
            ? `, Transfer ${mnee(fromTokenUnits(transfer.amount, decimals))} from ${transfer.from} to ${transfer.to}`
            : `, no Transfer from ${authorization.authorizer} to ${[...payees].join(', ') || 'our payees'}`),
      },
    );
  }

  // The other way: an authorization spent to one of our payees that the ledger does not know (the facilitator's crash window).
  const ours = settlements.filter(
    (s): s is Settlement & { transfer: ChainTransfer } => s.transfer !== undefined && payees.has(lower(s.transfer.to)),
  );
  for (const { authorization, transfer } of ours) {
    if (known.has(keyOf(authorization.authorizer, authorization.nonce))) continue;
    findings.disagree(
      'X402_NOT_IN_LEDGER',
      { type: 'chain-payment', id: authorization.txHash },
      "an authorization paid one of our providers' payees on chain but the ledger has no x402 payment with its payer and nonce",
      {
        ledger: `no x402 payment from ${authorization.authorizer} with nonce ${authorization.nonce}`,
        chain: `AuthorizationUsed(${authorization.authorizer}, ${authorization.nonce}) and Transfer ${mnee(fromTokenUnits(transfer.amount, decimals))} to ${transfer.to} in block ${authorization.blockNumber}, tx ${authorization.txHash}`,
      },
    );
  }

  // Permit2 settlements to our payees the ledger does not know (no row with its transaction and payer)
  const oursByPermit2 = permit2.filter(
    (p): p is Permit2Settlement & { transfer: ChainTransfer } => p.transfer !== undefined && payees.has(lower(p.transfer.to)),
  );
  for (const { settlement, transfer } of oursByPermit2) {
    if (knownTransactions.has(keyOf(transfer.from, settlement.txHash))) continue;
    findings.disagree(
      'X402_NOT_IN_LEDGER',
      { type: 'chain-payment', id: settlement.txHash },
      "a Permit2 settlement paid one of our providers' payees on chain but the ledger has no x402 payment with its transaction and payer",
      {
        ledger: `no x402 payment from ${transfer.from} in tx ${settlement.txHash}`,
        chain: `Permit2 settlement through the x402 proxy: Transfer ${mnee(fromTokenUnits(transfer.amount, decimals))} from ${transfer.from} to ${transfer.to} in block ${settlement.blockNumber}, tx ${settlement.txHash}`,
      },
    );
  }

  const ledgerPaid = sumOf(settled, (payment) => units(payment.amount));
  const chainPaid = fromTokenUnits(sumOf(ours, (s) => s.transfer.amount) + sumOf(oursByPermit2, (p) => p.transfer.amount), decimals);
  const agree = findings.discrepancies.length === 0;
  const extra = [
    findings.unchecked.length > 0 ? `${plural(findings.unchecked.length, 'payment')} older than this chain` : '',
    chain.authorizations.length > ours.length
      ? `${plural(chain.authorizations.length - ours.length, 'authorization')} to others skipped`
      : '',
  ].filter(Boolean);
  return {
    summary:
      `${plural(settled.length, 'x402 payment')}, ${plural(ours.length, 'AuthorizationUsed event')}` +
      (oursByPermit2.length > 0 ? ` and ${plural(oursByPermit2.length, 'Permit2 settlement')}` : '') +
      ' to our payees: ' +
      (agree ? `paid ${mnee(chainPaid)} on both sides` : `ledger paid ${mnee(ledgerPaid)}, chain paid ${mnee(chainPaid)}`) +
      (extra.length > 0 ? ` (${extra.join(', ')})` : ''),
    amounts: { ledger: { paid: mnee(ledgerPaid) }, chain: { paid: mnee(chainPaid) } },
    counts: {
      ledger: { x402: settled.length },
      chain: {
        authorizations: ours.length,
        foreignAuthorizations: chain.authorizations.length - ours.length,
        permit2Settlements: oursByPermit2.length,
      },
    },
    findings,
  };
}
