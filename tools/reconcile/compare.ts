import { checkLedgerChain } from './checks/ledger-chain';
import { checkLedgerLogger } from './checks/ledger-logger';
import { checkLedgerPolicy, type Staleness } from './checks/ledger-policy';
import { checkPolicyLogger } from './checks/policy-logger';
import { checkX402Chain } from './checks/x402-chain';
import type { CheckOutcome } from './findings';
import { CHECK_TITLES, type CheckId, type CheckReport, type ReconcileReport, type SourceId, type SourceReport } from './report';
import {
  isFailure,
  isSkipped,
  type ChainSnapshot,
  type LedgerSnapshot,
  type LoggerSnapshot,
  type PolicySnapshot,
  type Snapshots,
  type SourceFailure,
  type SourceSkipped,
} from './snapshots';

/** A source as read, or why it was not (failed, or skipped on purpose). */
type Source<T> = { value: T } | { missing: string };

function source<T extends object>(name: string, value: T | SourceFailure | SourceSkipped): Source<T> {
  if (isFailure(value)) return { missing: `${name} could not be read` };
  if (isSkipped(value)) return { missing: value.skipped };
  return { value };
}

/** Runs a check over two sources, or says why it cannot run. */
function run<A, B>(a: Source<A>, b: Source<B>, check: (a: A, b: B) => CheckOutcome): CheckOutcome | string {
  if ('value' in a && 'value' in b) return check(a.value, b.value);
  return [a, b].flatMap((s) => ('missing' in s ? [s.missing] : [])).join('; ');
}

/**
 * The whole comparison, a pure function of the snapshots: each check runs
 * when the sources it needs were read, and is SKIPPED (saying why)
 * otherwise. Exit code 2 when a source could not be read, else 1 when
 * anything disagrees, else 0.
 */
export interface CompareOptions {
  /** a payment PENDING or a hold HELD for longer than this (before the snapshot was taken) is a finding; never when absent */
  staleAfterSeconds?: number;
}

export function reconcile(snapshots: Snapshots, options: CompareOptions = {}): ReconcileReport {
  const staleness: Staleness | undefined =
    options.staleAfterSeconds === undefined ? undefined : { now: new Date(snapshots.takenAt), afterSeconds: options.staleAfterSeconds };
  const policy = source<PolicySnapshot>('the policy service', snapshots.policy);
  const ledger = source<LedgerSnapshot>('the payment service', snapshots.ledger);
  const logger = source<LoggerSnapshot>('the logger', snapshots.logger);
  const chain = source<ChainSnapshot>('the chain', snapshots.chain);
  const checks: Array<{ id: CheckId; outcome: CheckOutcome | string }> = [
    { id: 'ledger-chain', outcome: run(ledger, chain, checkLedgerChain) },
    { id: 'x402-chain', outcome: run(ledger, chain, checkX402Chain) },
    { id: 'ledger-logger', outcome: run(ledger, logger, checkLedgerLogger) },
    { id: 'ledger-policy', outcome: run(ledger, policy, (l, p) => checkLedgerPolicy(l, p, staleness)) },
    { id: 'policy-logger', outcome: run(policy, logger, checkPolicyLogger) },
  ];

  const sources = sourceReports(snapshots);
  const outcomes = checks.flatMap(({ outcome }) => (typeof outcome === 'string' ? [] : [outcome]));
  const discrepancies = outcomes.flatMap((o) => o.findings.discrepancies);
  const failed = sources.some((s) => s.status === 'FAILED');
  const exitCode = failed ? 2 : discrepancies.length > 0 ? 1 : 0;
  return {
    version: 1,
    status: exitCode === 2 ? 'UNREADABLE' : exitCode === 1 ? 'DISAGREE' : 'AGREE',
    exitCode,
    takenAt: snapshots.takenAt,
    mode: 'value' in ledger ? ledger.value.mode : null,
    sources,
    checks: checks.map(({ id, outcome }) => checkReport(id, outcome)),
    discrepancies,
    inFlight: outcomes.flatMap((o) => o.findings.inFlight),
    unchecked: outcomes.flatMap((o) => o.findings.unchecked),
    notes: snapshots.notes,
  };
}

function checkReport(id: CheckId, outcome: CheckOutcome | string): CheckReport {
  const title = CHECK_TITLES[id];
  if (typeof outcome === 'string')
    return {
      id,
      title,
      status: 'SKIPPED',
      summary: `skipped: ${outcome}`,
      reason: outcome,
      amounts: {},
      counts: {},
      discrepancies: 0,
      inFlight: 0,
      unchecked: 0,
    };
  const { findings } = outcome;
  return {
    id,
    title,
    status: findings.discrepancies.length > 0 ? 'FAIL' : 'PASS',
    summary: outcome.summary,
    reason: null,
    amounts: outcome.amounts,
    counts: outcome.counts,
    discrepancies: findings.discrepancies.length,
    inFlight: findings.inFlight.length,
    unchecked: findings.unchecked.length,
  };
}

function sourceReports(snapshots: Snapshots): SourceReport[] {
  const { where } = snapshots;
  function report<T extends object>(id: SourceId, value: T | SourceFailure | SourceSkipped, read: (value: T) => string): SourceReport {
    if (isFailure(value)) return { source: id, status: 'FAILED', where: where[id], detail: value.failed };
    if (isSkipped(value)) return { source: id, status: 'SKIPPED', where: where[id], detail: value.skipped };
    return { source: id, status: 'READ', where: where[id], detail: read(value) };
  }
  return [
    report<PolicySnapshot>(
      'policy',
      snapshots.policy,
      (p) => `${p.agents.length} agents, ${p.reservations.length} holds, ${p.decisions.length} decisions (period ${p.periodId ?? '-'})`,
    ),
    report<LedgerSnapshot>('payment', snapshots.ledger, (l) => `${l.payments.length} payments (${l.mode} mode)`),
    report<LoggerSnapshot>(
      'logger',
      snapshots.logger,
      (l) => `${l.transactions.length} transaction events, ${l.decisions.length} decision events`,
    ),
    report<ChainSnapshot>(
      'chain',
      snapshots.chain,
      (c) =>
        `${c.payments.length} PaymentMade and ${c.refunds.length} PaymentRefunded events of router ${c.router} in blocks ${c.fromBlock}–${c.toBlock} (chain ${c.chainId})` +
        (c.malformed.length > 0 ? `, ${c.malformed.length} malformed router logs skipped` : '') +
        (c.token ? `; ${c.authorizations.length} AuthorizationUsed of token ${c.token}` : ''),
    ),
  ];
}
