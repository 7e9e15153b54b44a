import { LoggerClient, PaymentClient, PolicyClient } from '@nexus/clients';
import type { TreasuryView } from '@nexus/types';
import { collectChain, planChainRead } from './collect-chain';
import { movedByAuthorization } from './checks/x402-payments';
import { collectLedger, collectLogger, collectPolicy, describeFailure } from './collect-services';
import { redact, type ReconcileSettings } from './settings';
import type { ChainSnapshot, LedgerSnapshot, LoggerSnapshot, PolicySnapshot, Snapshots, SourceFailure, SourceSkipped } from './snapshots';

/** Runs one source's read; a failure becomes the source's SourceFailure, with every secret blanked out. */
async function attempt<T>(secrets: readonly string[], read: () => Promise<T>): Promise<T | SourceFailure> {
  try {
    return await read();
  } catch (error: unknown) {
    return { failed: redact(describeFailure(error, ''), secrets) };
  }
}

/**
 * Reads every source in full. The order follows a paid call backwards (the
 * logger, then the policy, then the ledger, then the chain): whatever a later
 * step of a call wrote, an earlier step's record is read after it and found.
 */
export async function collect(settings: ReconcileSettings, now: () => Date = () => new Date()): Promise<Snapshots> {
  const options = { token: settings.operatorToken, timeoutMs: 15_000 };
  const notes: string[] = [];
  const takenAt = now().toISOString();
  const logger: LoggerSnapshot | SourceFailure = await attempt(settings.secrets, () =>
    collectLogger(new LoggerClient({ baseUrl: settings.urls.logger, ...options })),
  );
  const policy: PolicySnapshot | SourceFailure = await attempt(settings.secrets, () =>
    collectPolicy(new PolicyClient({ baseUrl: settings.urls.policy, ...options }), notes),
  );
  let treasury: TreasuryView | undefined;
  const ledger: LedgerSnapshot | SourceFailure = await attempt(settings.secrets, async () => {
    const read = await collectLedger(new PaymentClient({ baseUrl: settings.urls.payment, ...options }));
    treasury = read.treasury;
    return read.ledger;
  });
  const chain = await collectChainSource(settings, treasury, payeesOf(settings, ledger, notes), notes);
  return {
    takenAt,
    policy,
    ledger,
    logger,
    chain,
    where: { ...settings.urls, chain: settings.chain.target.rpcUrl },
    notes: notes.map((note) => redact(note, settings.secrets)),
  };
}

/**
 * The providers' payees whose incoming token transfers are read: services.yaml's
 * (as the payment service's facilitator knows them) and every payee of the
 * ledger's x402 payments.
 */
function payeesOf(settings: ReconcileSettings, ledger: LedgerSnapshot | SourceFailure, notes: string[]): string[] {
  if ('problem' in settings.payees)
    notes.push(
      `the providers' payees could not be read (${settings.payees.problem}): only the ledger's x402 payees are checked for on-chain x402 payments it lacks`,
    );
  const configured = 'problem' in settings.payees ? [] : settings.payees.addresses;
  const ledgers = 'failed' in ledger ? [] : ledger.payments.filter(movedByAuthorization).map((payment) => payment.payee);
  return [...configured, ...ledgers];
}

/** The chain, unless there is nothing on chain to check (mock mode) or nothing to check it against (the ledger was not read). */
async function collectChainSource(
  settings: ReconcileSettings,
  treasury: TreasuryView | undefined,
  payees: readonly string[],
  notes: string[],
): Promise<ChainSnapshot | SourceFailure | SourceSkipped> {
  const envMode = settings.chain.mode;
  if (!treasury) return { skipped: 'the payment service could not be read, so the router and treasury to check are unknown' };
  if (treasury.mode === 'mock') {
    if (envMode === 'chain')
      notes.push('PAYMENT_MODE here says chain, but the payment service runs in mock mode: nothing on chain to check');
    return { skipped: 'mock mode: payments are recorded as MOCK and nothing moves on chain' };
  }
  if (envMode === 'mock') {
    notes.push(
      'the payment service runs in chain mode but PAYMENT_MODE=mock here: the on-chain checks were skipped; run reconcile with the stack settings to check the chain',
    );
    return { skipped: 'PAYMENT_MODE=mock in the settings' };
  }
  return attempt(settings.secrets, () => collectChain(planChainRead(settings.chain.target, treasury, settings.fromBlock, notes, payees)));
}
