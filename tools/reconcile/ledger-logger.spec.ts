import { reconcile } from './compare';
import type { ReconcileReport } from './report';
import { idOf, parts, statsOf, world } from './testing/world';

const check = (report: ReconcileReport) => report.checks.find((c) => c.id === 'ledger-logger');
const found = (report: ReconcileReport) =>
  report.discrepancies
    .filter((d) => d.check === 'ledger-logger')
    .map((d): [string, string, string] => [d.kind, d.record.type, d.record.id]);

describe('reconcile: ledger ↔ logger', () => {
  it('agrees when every final payment is logged with its status and amount, and GET /stats sums the same', () => {
    const report = reconcile(
      world([
        { outcome: 'served' },
        { outcome: 'refunded', amount: '0.50' },
        { outcome: 'failed' },
        { outcome: 'served', agentId: 'ops-agent' },
      ]),
    );
    expect(check(report)).toMatchObject({
      status: 'PASS',
      amounts: {
        ledger: { paid: '0.60', refunded: '0.50', net: '0.10' },
        logger: { paid: '0.60', refunded: '0.50', net: '0.10' },
        stats: { net: '0.10' },
      },
    });
    expect(report.exitCode).toBe(0);
  });

  it('names a payment the logger never got, and the totals and stats it throws off', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served', amount: '0.50', serviceId: 'IMAGE_GEN' }]);
    const { logger } = parts(snapshots);
    logger.transactions = logger.transactions.filter((e) => e.paymentId !== idOf('pay', 2));
    logger.stats = statsOf(logger.transactions, logger.decisions);

    const report = reconcile(snapshots);
    expect(report.exitCode).toBe(1);
    expect(found(report)).toEqual([
      ['PAYMENT_NOT_LOGGED', 'payment', idOf('pay', 2)],
      ['TOTAL_DIFFERS', 'total', 'paid'],
      ['TOTAL_DIFFERS', 'total', 'net'],
      ['STATS_DIFFERS', 'total', 'totalSpent'],
      ['STATS_DIFFERS', 'total', 'transactions.successful'],
      ['STATS_DIFFERS', 'total', 'spendByAgent.user-agent'],
      ['STATS_DIFFERS', 'total', 'revenueByService.IMAGE_GEN'],
    ]);
    expect(report.discrepancies.find((d) => d.record.id === 'totalSpent')?.sides).toEqual({ ledger: '0.55', stats: '0.05' });
  });

  it('names a refunded payment whose refund the logger lacks: its latest event still says SUCCESS', () => {
    const snapshots = world([{ outcome: 'refunded' }]);
    const { logger } = parts(snapshots);
    logger.transactions = logger.transactions.filter((e) => e.status !== 'REFUNDED');
    logger.stats = statsOf(logger.transactions, logger.decisions);

    const report = reconcile(snapshots);
    expect(report.discrepancies[0]).toMatchObject({
      kind: 'LOGGED_STATUS_DIFFERS',
      message: "ledger says REFUNDED, the logger's latest event says SUCCESS",
      sides: { ledger: 'REFUNDED 0.05 for user-agent / PRICE_ORACLE', logger: expect.stringContaining('SUCCESS 0.05') },
    });
    expect(found(report).map(([, , id]) => id)).toEqual([
      idOf('pay', 1),
      'refunded',
      'net',
      'totalSpent',
      'transactions.refunded',
      'spendByAgent.user-agent',
      'revenueByService.PRICE_ORACLE',
    ]);
  });

  it('names an event with another amount, or another agent, than the ledger', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served' }]);
    const { logger } = parts(snapshots);
    const [first, second] = logger.transactions;
    if (!first || !second) throw new Error('two events expected');
    first.amount = '0.06';
    second.agentId = 'batch-agent';

    const report = reconcile(snapshots);
    expect(found(report).filter(([kind]) => kind.startsWith('LOGGED'))).toEqual([
      ['LOGGED_AMOUNT_DIFFERS', 'payment', idOf('pay', 1)],
      ['LOGGED_PAYMENT_DIFFERS', 'payment', idOf('pay', 2)],
    ]);
  });

  it('names a logged payment the ledger does not have, an event with no payment, and a status logged twice', () => {
    const snapshots = world([{ outcome: 'served' }]);
    const { logger } = parts(snapshots);
    const [event] = logger.transactions;
    if (!event) throw new Error('an event expected');
    logger.transactions.push({ ...event, id: 'ghost', paymentId: idOf('pay', 77) });
    logger.transactions.push({ ...event, id: 'orphan', paymentId: null });
    logger.transactions.push({ ...event, id: 'again' });

    const report = reconcile(snapshots);
    expect(found(report).filter(([kind]) => kind !== 'TOTAL_DIFFERS')).toEqual([
      ['LOGGED_PAYMENT_UNKNOWN', 'event', 'orphan'],
      ['LOGGED_PAYMENT_UNKNOWN', 'payment', idOf('pay', 77)],
      ['LOGGED_TWICE', 'payment', idOf('pay', 1)],
    ]);
  });

  it('names a logged refund without the payment it undoes', () => {
    const snapshots = world([{ outcome: 'refunded' }]);
    const { logger } = parts(snapshots);
    logger.transactions = logger.transactions.filter((e) => e.status !== 'SUCCESS');
    logger.stats = statsOf(logger.transactions, logger.decisions);
    expect(found(reconcile(snapshots))).toContainEqual(['LOGGED_REFUND_WITHOUT_PAYMENT', 'payment', idOf('pay', 1)]);
  });

  it('names GET /stats when only the stats disagree with the ledger and the events', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'failed' }]);
    const { logger } = parts(snapshots);
    logger.stats = { ...logger.stats, totalSpent: '0.10', transactions: { ...logger.stats.transactions, failed: 0 } };

    expect(found(reconcile(snapshots))).toEqual([
      ['STATS_DIFFERS', 'total', 'totalSpent'],
      ['STATS_DIFFERS', 'total', 'transactions.failed'],
    ]);
  });

  it('reports a PENDING payment with nothing logged yet as in flight; a logged status on a PENDING payment disagrees', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'pending' }]);
    let report = reconcile(snapshots);
    expect(found(report)).toEqual([]);
    expect(report.inFlight).toContainEqual(
      expect.objectContaining({ check: 'ledger-logger', kind: 'PAYMENT_PENDING', record: { type: 'payment', id: idOf('pay', 2) } }),
    );

    const { logger } = parts(snapshots);
    const [event] = logger.transactions;
    if (!event) throw new Error('an event expected');
    logger.transactions.push({ ...event, id: 'early', paymentId: idOf('pay', 2) });
    report = reconcile(snapshots);
    expect(found(report)[0]).toEqual(['LOGGED_STATUS_DIFFERS', 'payment', idOf('pay', 2)]);
  });
});
