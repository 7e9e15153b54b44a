import { reconcile } from './compare';
import { addX402, world } from './testing/world';

describe('reconcile: x402 payments (a third party paid a provider through the facilitator)', () => {
  it('agrees: no hold or decision is missing, the router is not expected to know them, the events name the payer', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'refunded', amount: '0.50' }]);
    addX402(snapshots, 1);
    addX402(snapshots, 2);

    const report = reconcile(snapshots);

    expect(report.discrepancies).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});
