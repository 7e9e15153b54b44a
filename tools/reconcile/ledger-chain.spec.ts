import { paymentRefOf, toTokenUnits } from '@nexus/chain';
import { reconcile } from './compare';
import { renderReport } from './render';
import type { ReconcileReport } from './report';
import { DECIMALS, DEPLOYED_AT, PAYEE, TREASURY, idOf, parts, txOf, world } from './testing/world';

const check = (report: ReconcileReport) => report.checks.find((c) => c.id === 'ledger-chain');
const kinds = (report: ReconcileReport) => report.discrepancies.filter((d) => d.check === 'ledger-chain').map((d) => d.kind);
const tokens = (mnee: bigint) => toTokenUnits(mnee, DECIMALS);

describe('reconcile: ledger ↔ chain', () => {
  it('agrees when every settled payment has its PaymentMade, every refund its PaymentRefunded, and the totals match', () => {
    const report = reconcile(world([{ outcome: 'served' }, { outcome: 'refunded', amount: '0.50' }, { outcome: 'failed' }]));
    expect(report.exitCode).toBe(0);
    expect(check(report)).toMatchObject({
      status: 'PASS',
      amounts: { ledger: { paid: '0.55', refunded: '0.50', net: '0.05' }, chain: { paid: '0.55', refunded: '0.50', net: '0.05' } },
    });
    expect(check(report)?.summary).toContain('paid 0.55, refunded 0.50, net 0.05 on both sides');
  });

  it('names a SUCCESS payment the router never paid, and the totals it throws off', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served', amount: '0.50' }]);
    const { chain } = parts(snapshots);
    chain.payments = chain.payments.filter((event) => event.txHash !== txOf(2));

    const report = reconcile(snapshots);
    expect(report.exitCode).toBe(1);
    expect(check(report)?.status).toBe('FAIL');
    expect(report.discrepancies[0]).toMatchObject({
      kind: 'PAYMENT_NOT_ON_CHAIN',
      record: { type: 'payment', id: idOf('pay', 2) },
      sides: { ledger: expect.stringContaining('SUCCESS 0.50'), chain: expect.stringContaining('no PaymentMade') },
    });
    expect(report.discrepancies.filter((d) => d.kind === 'TOTAL_DIFFERS').map((d) => [d.record.id, d.sides])).toEqual([
      ['paid', { ledger: '0.55', chain: '0.05' }],
      ['net', { ledger: '0.55', chain: '0.05' }],
    ]);
  });

  it('names a PaymentMade whose amount, payee or service differs from the ledger', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served' }, { outcome: 'served' }]);
    const { chain } = parts(snapshots);
    const [first, second, third] = chain.payments;
    if (!first || !second || !third) throw new Error('three events expected');
    first.amount = tokens(60_000n);
    second.payee = '0x4444444444444444444444444444444444444444';
    third.serviceId = 'IMAGE_GEN';

    const report = reconcile(snapshots);
    const found = report.discrepancies.filter((d) => d.kind === 'PAYMENT_DIFFERS_ON_CHAIN');
    expect(found.map((d) => [d.record.id, d.message])).toEqual([
      [idOf('pay', 1), expect.stringContaining('in amount')],
      [idOf('pay', 2), expect.stringContaining('in payee')],
      [idOf('pay', 3), expect.stringContaining('in service')],
    ]);
    expect(found[0]?.sides.chain).toContain('0.06 to');
    expect(kinds(report)).toContain('TOTAL_DIFFERS');
  });

  it('names an extra PaymentMade from the treasury that the ledger does not have, and ignores other payers', () => {
    const snapshots = world([{ outcome: 'served' }]);
    const { chain } = parts(snapshots);
    const extra = {
      paymentRef: paymentRefOf(idOf('pay', 99)),
      payee: PAYEE,
      amount: tokens(1_000_000n),
      serviceId: 'IMAGE_GEN',
      blockNumber: 40,
    };
    chain.payments.push({ ...extra, payer: TREASURY, txHash: txOf(99) });
    chain.payments.push({
      ...extra,
      paymentRef: paymentRefOf('someone-else'),
      payer: '0x5555555555555555555555555555555555555555',
      txHash: txOf(98),
    });

    const report = reconcile(snapshots);
    expect(kinds(report).sort()).toEqual(['PAYMENT_NOT_IN_LEDGER', 'TOTAL_DIFFERS', 'TOTAL_DIFFERS']);
    expect(report.discrepancies[0]).toMatchObject({
      record: { type: 'chain-payment', id: txOf(99) },
      sides: { chain: expect.stringContaining('PaymentMade 1.00 to') },
    });
  });

  it('skips and counts events of other payers under our references and logs that do not decode, and still agrees', () => {
    // Anybody can pay through the router under our reference, and a payee can refund that payer: none of it is ours.
    const snapshots = world([{ outcome: 'served' }, { outcome: 'refunded' }]);
    const { chain } = parts(snapshots);
    const [ours] = chain.payments;
    if (!ours) throw new Error('a payment expected');
    const frontRunner = '0x5555555555555555555555555555555555555555';
    chain.payments.push({ ...ours, payer: frontRunner, amount: 1n, txHash: txOf(97), blockNumber: 40 });
    chain.refunds.push({ ...ours, payer: frontRunner, amount: 1n, txHash: txOf(96), blockNumber: 41 });
    chain.malformed.push({ txHash: txOf(95), blockNumber: 42, logIndex: 0, reason: 'invalid bytes32 string - no null terminator' });

    const report = reconcile(snapshots);

    expect(kinds(report)).toEqual([]);
    expect(check(report)).toMatchObject({
      status: 'PASS',
      counts: { chain: { payments: 2, refunds: 1, foreignEvents: 2, malformedEvents: 1 } },
      amounts: { chain: { paid: '0.10', refunded: '0.05', net: '0.05' } },
    });
    expect(check(report)?.summary).toContain('3 router events skipped: 2 of other payers, 1 malformed');
    expect(renderReport(report)).toContain('3 router events skipped: 2 of other payers, 1 malformed');
    expect(report.sources.find((s) => s.source === 'chain')?.detail).toContain('1 malformed router logs skipped');
  });

  it('names a REFUNDED payment without its PaymentRefunded, and a refund on chain the ledger missed', () => {
    const snapshots = world([{ outcome: 'refunded' }, { outcome: 'served' }]);
    const { chain } = parts(snapshots);
    const refund = chain.refunds.pop();
    if (!refund) throw new Error('a refund expected');
    chain.refunds.push({ ...refund, paymentRef: paymentRefOf(idOf('pay', 2)), txHash: txOf(500) });

    const report = reconcile(snapshots);
    expect(report.discrepancies.filter((d) => d.kind !== 'TOTAL_DIFFERS').map((d) => [d.kind, d.record.id])).toEqual([
      ['REFUND_NOT_ON_CHAIN', idOf('pay', 1)],
      ['REFUND_NOT_IN_LEDGER', idOf('pay', 2)],
    ]);
  });

  it('names a payment the ledger calls FAILED that the router paid', () => {
    const snapshots = world([{ outcome: 'failed' }]);
    const { chain } = parts(snapshots);
    chain.payments.push({
      paymentRef: paymentRefOf(idOf('pay', 1)),
      payer: TREASURY,
      payee: PAYEE,
      amount: tokens(50_000n),
      serviceId: 'PRICE_ORACLE',
      txHash: txOf(7),
      blockNumber: 9,
    });
    const report = reconcile(snapshots);
    expect(report.discrepancies[0]).toMatchObject({
      kind: 'PAID_ON_CHAIN_NOT_IN_LEDGER',
      sides: { ledger: 'FAILED 0.05 (ERC20InsufficientBalance)' },
    });
  });

  it('reports a PENDING payment the router already paid as in flight, not as a mismatch', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'pending' }]);
    const { chain } = parts(snapshots);
    chain.payments.push({
      paymentRef: paymentRefOf(idOf('pay', 2)),
      payer: TREASURY,
      payee: PAYEE,
      amount: tokens(50_000n),
      serviceId: 'PRICE_ORACLE',
      txHash: txOf(2),
      blockNumber: 9,
    });
    const report = reconcile(snapshots);
    expect(kinds(report)).toEqual([]);
    expect(report.inFlight.filter((n) => n.check === 'ledger-chain')).toEqual([
      expect.objectContaining({ kind: 'PAYMENT_PENDING', record: { type: 'payment', id: idOf('pay', 2) } }),
    ]);
  });

  it('does not count a payment older than the chain deployment as missing, and says it was not checked', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served' }]);
    const { ledger, chain } = parts(snapshots);
    const old = ledger.payments[0];
    if (!old) throw new Error('a payment expected');
    old.createdAt = new Date(Date.parse(DEPLOYED_AT) - 60_000).toISOString();
    chain.payments.shift();

    const report = reconcile(snapshots);
    expect(kinds(report)).toEqual([]);
    expect(report.unchecked).toEqual([
      expect.objectContaining({ kind: 'PREDATES_CHAIN', record: { type: 'payment', id: idOf('pay', 1) } }),
    ]);
    expect(check(report)?.amounts.ledger).toEqual({ paid: '0.05', refunded: '0.00', net: '0.05' });

    chain.deployedAt = null;
    expect(kinds(reconcile(snapshots))).toContain('PAYMENT_NOT_ON_CHAIN');
  });

  it('skips the chain in mock mode and still agrees', () => {
    const report = reconcile(world([{ outcome: 'served' }, { outcome: 'refunded' }], 'mock'));
    expect(report.exitCode).toBe(0);
    expect(check(report)).toMatchObject({ status: 'SKIPPED', reason: 'mock mode' });
    expect(report.sources.find((s) => s.source === 'chain')).toMatchObject({ status: 'SKIPPED' });
  });
});
