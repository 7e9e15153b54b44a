import { reconcile } from './compare';
import { renderReport } from './render';
import { ReconcileReport } from './report';
import { runReconcile } from './run';
import { reconcileSettings } from './settings';
import { idOf, parts, txOf, world } from './testing/world';

describe('the reconcile report', () => {
  it('is a valid ReconcileReport that says AGREE with exit code 0 when every source agrees', () => {
    const report = reconcile(world([{ outcome: 'served' }, { outcome: 'refunded' }, { outcome: 'rejected' }]));
    expect(ReconcileReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report).toMatchObject({ version: 1, status: 'AGREE', exitCode: 0, mode: 'chain', discrepancies: [] });
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['ledger-chain', 'PASS'],
      ['x402-chain', 'PASS'],
      ['ledger-logger', 'PASS'],
      ['ledger-policy', 'PASS'],
      ['policy-logger', 'PASS'],
    ]);
    expect(report.sources.map((s) => s.status)).toEqual(['READ', 'READ', 'READ', 'READ']);
  });

  it('says UNREADABLE with exit code 2 when a source could not be read, skips only the checks that need it', () => {
    const snapshots = world([{ outcome: 'served' }]);
    const [payment] = parts(snapshots).ledger.payments;
    if (!payment) throw new Error('a payment expected');
    payment.amount = '0.07';
    snapshots.logger = { failed: 'logger is unreachable (ECONNREFUSED)' };

    const report = reconcile(snapshots);
    expect(ReconcileReport.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ status: 'UNREADABLE', exitCode: 2 });
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['ledger-chain', 'FAIL'],
      ['x402-chain', 'PASS'],
      ['ledger-logger', 'SKIPPED'],
      ['ledger-policy', 'FAIL'],
      ['policy-logger', 'SKIPPED'],
    ]);
    expect(report.checks[2]?.reason).toBe('the logger could not be read');
    expect(report.sources.find((s) => s.source === 'logger')).toEqual({
      source: 'logger',
      status: 'FAILED',
      where: 'http://logger',
      detail: 'logger is unreachable (ECONNREFUSED)',
    });
  });

  it('prints one line per check with ✓, ✗ or –, then each discrepancy with what each side says', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served' }]);
    parts(snapshots).chain.payments.pop();
    const text = renderReport(reconcile(snapshots));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Reconciliation (chain mode) at 2026-03-10T13:00:00.000Z');
    expect(lines.slice(2, 7)).toEqual([
      expect.stringMatching(/^✗ ledger ↔ chain {3}2 settled payments, 1 PaymentMade event: ledger net 0\.10, chain net 0\.05$/),
      '✓ ledger ↔ token   0 x402 payments, 0 AuthorizationUsed events to our payees: paid 0.00 on both sides',
      expect.stringMatching(/^✓ ledger ↔ logger {2}2 final payments/),
      expect.stringMatching(/^✓ ledger ↔ policy {2}/),
      expect.stringMatching(/^✓ policy ↔ logger {2}2 decisions/),
    ]);
    expect(text).toContain(`Discrepancies (3):\n  [ledger ↔ chain] payment ${idOf('pay', 2)}: PAYMENT_NOT_ON_CHAIN:`);
    expect(text).toContain(`      ledger SUCCESS 0.05 to 0x3333333333333333333333333333333333333333 for PRICE_ORACLE, tx ${txOf(2)}`);
    expect(text).toContain('      chain  no PaymentMade with ref');
    expect(text.trimEnd().split('\n').at(-1)).toBe('3 discrepancies.');
  });

  it('says which source could not be read, and why', () => {
    const snapshots = world([{ outcome: 'served' }], 'mock');
    snapshots.policy = { failed: 'GET /reservations answered 404 NOT_FOUND' };
    const text = renderReport(reconcile(snapshots));
    expect(text).toContain('– ledger ↔ chain   skipped: mock mode');
    expect(text).toContain('– ledger ↔ policy  skipped: the policy service could not be read');
    expect(text).toContain('could not read policy at http://policy: GET /reservations answered 404 NOT_FOUND');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Could not read policy: the checks that need it were skipped.');
  });

  it('reads again while the sources disagree, within --wait, and answers the first agreement', async () => {
    const agreeing = world([{ outcome: 'served' }]);
    const behind = world([{ outcome: 'served' }]);
    parts(behind).logger.transactions = [];
    const reads = [behind, behind, agreeing];
    let calls = 0;
    const read = async () => reads[Math.min(calls++, reads.length - 1)] ?? agreeing;
    const settings = reconcileSettings({ OPERATOR_TOKEN: 'internal-token-of-the-test' }, '/nowhere/.env');

    expect((await runReconcile(settings, { read })).status).toBe('DISAGREE');
    calls = 0;
    const report = await runReconcile(settings, { read, waitSeconds: 5 });
    expect(report.status).toBe('AGREE');
    expect(calls).toBe(3);
  });
});
