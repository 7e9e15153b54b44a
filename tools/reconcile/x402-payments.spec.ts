import type { Payment } from '@nexus/types';
import { reconcile } from './compare';
import type { TransactionLogEvent } from './snapshots';
import { PAYEE, parts, statsOf, txOf, world } from './testing/world';

const PAYER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

/** A settled x402 payment as the ledger has it (no agent, no decision) and its event as the logger has it (the payer as agent). */
function x402Payment(n: number): { payment: Payment; event: TransactionLogEvent } {
  const id = `pay_${n.toString(16).padStart(32, 'f')}`;
  const at = `2026-03-10T12:3${n}:00.000Z`;
  return {
    payment: {
      id,
      status: 'SUCCESS',
      mode: 'chain',
      amount: '0.25',
      agentId: '',
      serviceId: 'PRICE_ORACLE',
      payee: PAYEE,
      decisionId: '',
      reservationId: null,
      idempotencyKey: `x402:31337:token:${PAYER.toLowerCase()}:0x${n}`,
      paymentRef: null,
      txHash: txOf(900 + n),
      blockNumber: 900 + n,
      gasUsed: '60000',
      failure: null,
      refund: null,
      attempts: 1,
      createdAt: at,
      settledAt: at,
      method: 'x402',
      payer: PAYER,
      authorizationNonce: `0x${n.toString(16).padStart(64, '0')}`,
    },
    event: {
      id: `pay:${id}:SUCCESS`,
      kind: 'transaction',
      occurredAt: at,
      recordedAt: at,
      agentId: PAYER.toLowerCase(),
      serviceId: 'PRICE_ORACLE',
      status: 'SUCCESS',
      amount: '0.25',
      paymentId: id,
      decisionId: null,
      txHash: txOf(900 + n),
      reason: null,
      message: null,
    },
  };
}

describe('reconcile: x402 payments (a third party paid a provider through the facilitator)', () => {
  it('agrees: no hold or decision is missing, the router is not expected to know them, the events name the payer', () => {
    const snapshots = world([{ outcome: 'served' }, { outcome: 'refunded', amount: '0.50' }]);
    const { ledger, logger } = parts(snapshots);
    for (const n of [1, 2]) {
      const { payment, event } = x402Payment(n);
      ledger.payments.push(payment);
      logger.transactions.push(event);
    }
    logger.stats = statsOf(logger.transactions, logger.decisions);

    const report = reconcile(snapshots);

    expect(report.discrepancies).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});
