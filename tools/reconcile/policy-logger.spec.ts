import { reconcile } from './compare';
import type { ReconcileReport } from './report';
import { idOf, parts, statsOf, world } from './testing/world';

const check = (report: ReconcileReport) => report.checks.find((c) => c.id === 'policy-logger');
const found = (report: ReconcileReport) =>
  report.discrepancies.filter((d) => d.check === 'policy-logger').map((d) => [d.kind, d.record.type, d.record.id]);

describe('reconcile: policy ↔ logger', () => {
  it('agrees when every decision is logged as decided and the counts per action match the events and GET /stats', () => {
    const report = reconcile(world([{ outcome: 'served' }, { outcome: 'rejected' }, { outcome: 'rejected' }, { outcome: 'failed' }]));
    expect(check(report)).toMatchObject({
      status: 'PASS',
      counts: {
        policy: { ALLOWED: 2, DOWNGRADED: 0, REJECTED: 2 },
        logger: { ALLOWED: 2, DOWNGRADED: 0, REJECTED: 2 },
        stats: { ALLOWED: 2, DOWNGRADED: 0, REJECTED: 2 },
      },
    });
    expect(check(report)?.summary).toBe(
      '4 decisions (ALLOWED 2, DOWNGRADED 0, REJECTED 2, PENDING_APPROVAL 0) in the policy, the events and GET /stats',
    );
  });

  it('names a decision the logger never got, and the count it throws off', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'rejected' }]);
    const { logger } = parts(snapshots);
    logger.decisions = logger.decisions.filter((e) => e.decisionId !== idOf('dec', 2));
    logger.stats = statsOf(logger.transactions, logger.decisions);

    const report = reconcile(snapshots);
    expect(found(report)).toEqual([
      ['DECISION_NOT_LOGGED', 'decision', idOf('dec', 2)],
      ['ACTION_COUNT_DIFFERS', 'total', 'REJECTED'],
    ]);
    expect(report.discrepancies[1]?.sides).toEqual({ policy: '1', logger: '0', stats: '0' });
  });

  it('names a logged decision that differs from the policy, one logged twice, and one the policy never made', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served' }]);
    const { logger } = parts(snapshots);
    const [first, second] = logger.decisions;
    if (!first || !second) throw new Error('two events expected');
    first.amount = '0.50';
    first.variant = 'full';
    logger.decisions.push({ ...second, id: 'again' });
    logger.decisions.push({ ...second, id: 'ghost', decisionId: idOf('dec', 9) });
    logger.stats = statsOf(logger.transactions, logger.decisions);

    const report = reconcile(snapshots);
    expect(found(report)).toEqual([
      ['LOGGED_DECISION_DIFFERS', 'decision', idOf('dec', 1)],
      ['LOGGED_TWICE', 'decision', idOf('dec', 2)],
      ['LOGGED_DECISION_UNKNOWN', 'decision', idOf('dec', 9)],
      ['ACTION_COUNT_DIFFERS', 'total', 'ALLOWED'],
    ]);
    expect(report.discrepancies[0]?.message).toBe('the logged decision differs in variant, amount');
  });

  it('names GET /stats counts that differ from the decisions', () => {
    const snapshots = world([{ outcome: 'served' }]);
    const { logger } = parts(snapshots);
    logger.stats = { ...logger.stats, policy: { ...logger.stats.policy, downgraded: 3 } };
    const report = reconcile(snapshots);
    expect(found(report)).toEqual([['ACTION_COUNT_DIFFERS', 'total', 'DOWNGRADED']]);
    expect(report.discrepancies[0]?.sides).toEqual({ policy: '0', logger: '0', stats: '3' });
  });
});
