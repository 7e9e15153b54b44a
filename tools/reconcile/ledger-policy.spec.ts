import { reconcile } from './compare';
import type { ReconcileReport } from './report';
import { idOf, parts, world } from './testing/world';

const check = (report: ReconcileReport) => report.checks.find((c) => c.id === 'ledger-policy');
const found = (report: ReconcileReport) =>
  report.discrepancies.filter((d) => d.check === 'ledger-policy').map((d) => [d.kind, d.record.type, d.record.id]);
const flying = (report: ReconcileReport) => report.inFlight.filter((n) => n.check === 'ledger-policy').map((n) => [n.kind, n.record.id]);

/** A hold of the world, to change. */
function hold(snapshots: ReturnType<typeof world>, n: number) {
  const found = parts(snapshots).policy.reservations.find((r) => r.id === idOf('res', n));
  if (!found) throw new Error(`no hold ${n}`);
  return found;
}

describe('reconcile: ledger ↔ policy', () => {
  it('agrees when charged payments committed their holds, failed and refunded ones released them, and spentToday sums the commits', () => {
    const report = reconcile(
      world([
        { outcome: 'served', amount: '0.50' },
        { outcome: 'refunded' },
        { outcome: 'failed' },
        { outcome: 'rejected' },
        { outcome: 'served', agentId: 'ops-agent' },
      ]),
    );
    expect(check(report)).toMatchObject({
      status: 'PASS',
      amounts: { ledger: { charged: '0.55', pending: '0.00' }, policy: { committed: '0.55', held: '0.00', spentThisPeriod: '0.55' } },
    });
    expect(report.exitCode).toBe(0);
  });

  it('names a charged payment whose hold was released or expired: spend the policy does not count', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served' }]);
    Object.assign(hold(snapshots, 1), { status: 'RELEASED', committedAmount: null });
    Object.assign(hold(snapshots, 2), { status: 'EXPIRED', committedAmount: null });
    const agent = parts(snapshots).policy.agents[0];
    if (agent) agent.spentToday = '0.00';

    const report = reconcile(snapshots);
    expect(found(report)).toEqual([
      ['CHARGED_HOLD_NOT_COMMITTED', 'payment', idOf('pay', 1)],
      ['CHARGED_HOLD_NOT_COMMITTED', 'payment', idOf('pay', 2)],
    ]);
    expect(report.discrepancies[0]?.sides).toEqual({
      ledger: 'SUCCESS 0.05 for user-agent / PRICE_ORACLE',
      policy: `hold ${idOf('res', 1)} RELEASED 0.05 for user-agent / PRICE_ORACLE`,
    });
  });

  it('names a hold committed at another amount than its payment, and the agent spend that no longer adds up', () => {
    const snapshots = world([{ outcome: 'served' }]);
    hold(snapshots, 1).committedAmount = '0.04';
    const report = reconcile(snapshots);
    expect(found(report)).toEqual([
      ['COMMITTED_AMOUNT_DIFFERS', 'payment', idOf('pay', 1)],
      ['AGENT_SPEND_DIFFERS', 'agent', 'user-agent'],
    ]);
    expect(report.discrepancies[1]?.sides).toEqual({ policy: 'spentToday 0.05; committed holds 0.04' });
  });

  it('names a refunded or failed payment whose hold was committed: spend the treasury never lost', () => {
    const snapshots = world([{ outcome: 'refunded' }, { outcome: 'failed' }]);
    for (const n of [1, 2]) Object.assign(hold(snapshots, n), { status: 'COMMITTED', committedAmount: '0.05' });
    const agent = parts(snapshots).policy.agents[0];
    if (agent) agent.spentToday = '0.10';
    expect(found(reconcile(snapshots))).toEqual([
      ['REFUNDED_HOLD_COMMITTED', 'payment', idOf('pay', 1)],
      ['FAILED_HOLD_COMMITTED', 'payment', idOf('pay', 2)],
    ]);
  });

  it('names a committed hold the ledger has no payment for, and a payment the policy has no hold for', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'served' }]);
    const { ledger, policy } = parts(snapshots);
    ledger.payments = ledger.payments.filter((p) => p.id !== idOf('pay', 1));
    policy.reservations = policy.reservations.filter((r) => r.id !== idOf('res', 2));
    const agent = policy.agents[0];
    if (agent) agent.spentToday = '0.05';

    expect(found(reconcile(snapshots))).toEqual([
      ['PAYMENT_WITHOUT_HOLD', 'payment', idOf('pay', 2)],
      ['SPENT_WITHOUT_PAYMENT', 'reservation', idOf('res', 1)],
    ]);
  });

  it('names two payments made for one decision', () => {
    const snapshots = world([{ outcome: 'served' }]);
    const { ledger } = parts(snapshots);
    const [payment] = ledger.payments;
    if (!payment) throw new Error('a payment expected');
    ledger.payments.push({ ...payment, id: idOf('pay', 2), idempotencyKey: 'other' });
    expect(found(reconcile(snapshots))).toContainEqual(['DOUBLE_CHARGE', 'decision', idOf('dec', 1)]);
  });

  it("names an agent whose spentToday or reserved is not the sum of this period's holds", () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'held', amount: '0.20' }]);
    const agent = parts(snapshots).policy.agents[0];
    if (!agent) throw new Error('an agent expected');
    agent.spentToday = '0.15';
    agent.reserved = '0.00';
    const report = reconcile(snapshots);
    expect(found(report)).toEqual([
      ['AGENT_SPEND_DIFFERS', 'agent', 'user-agent'],
      ['AGENT_RESERVED_DIFFERS', 'agent', 'user-agent'],
    ]);
    expect(report.discrepancies[1]?.sides).toEqual({ policy: 'reserved 0.00; held holds 0.20' });
  });

  it("counts only the current period's holds in spentToday", () => {
    const snapshots = world(
      [
        { outcome: 'served', periodId: 1, amount: '0.50' },
        { outcome: 'served', periodId: 2 },
      ],
      'chain',
      2,
    );
    expect(parts(snapshots).policy.agents[0]?.spentToday).toBe('0.05');
    expect(found(reconcile(snapshots))).toEqual([]);
  });

  it('reports held holds and pending payments as in flight, not as mismatches', () => {
    const snapshots = world([{ outcome: 'held' }, { outcome: 'pending' }, { outcome: 'served' }]);
    Object.assign(hold(snapshots, 3), { status: 'HELD', committedAmount: null });
    const agent = parts(snapshots).policy.agents[0];
    if (agent) Object.assign(agent, { spentToday: '0.05', reserved: '0.10' });

    const report = reconcile(snapshots);
    expect(found(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(flying(report)).toEqual([
      ['PAYMENT_PENDING', idOf('pay', 2)],
      ['HOLD_IN_FLIGHT', idOf('pay', 3)],
      ['HOLD_IN_FLIGHT', idOf('res', 1)],
    ]);
    expect(check(report)?.summary).toContain('3 records in flight (0.10 held)');
  });

  it('reports a payment PENDING or a hold HELD for longer than the stale age as stuck, not in flight', () => {
    // The world's records are an hour old when the snapshot is taken.
    const snapshots = world([{ outcome: 'held' }, { outcome: 'pending' }, { outcome: 'served' }]);
    Object.assign(hold(snapshots, 3), { status: 'HELD', committedAmount: null });
    const agent = parts(snapshots).policy.agents[0];
    if (agent) Object.assign(agent, { spentToday: '0.05', reserved: '0.10' });

    const young = reconcile(snapshots, { staleAfterSeconds: 7_200 });
    expect(found(young)).toEqual([]);
    expect(flying(young)).toHaveLength(3);

    const old = reconcile(snapshots, { staleAfterSeconds: 900 });
    expect(found(old)).toEqual([
      ['PAYMENT_STUCK_PENDING', 'payment', idOf('pay', 2)],
      ['HOLD_STUCK_HELD', 'reservation', idOf('res', 3)],
      ['HOLD_STUCK_HELD', 'reservation', idOf('res', 1)],
    ]);
    expect(flying(old)).toEqual([]);
    expect(old.exitCode).toBe(1);
  });
});
