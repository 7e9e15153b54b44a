import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PaymentStore } from '@nexus/stores';
import { fromBaseUnits, PaymentStatus } from '@nexus/types';

/** What the payment service counts for Prometheus, beside the kit's process and HTTP metrics. */
export interface PaymentMetrics {
  settled: (status: string, mode: string, seconds: number) => void;
  chainUnavailable: () => void;
  refunded: () => void;
  replayed: () => void;
}

export function createPaymentMetrics(registry: Registry): PaymentMetrics {
  const payments = new Counter({
    name: 'payment_payments_total',
    help: 'Payments that reached a status, by status and mode',
    labelNames: ['status', 'mode'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'payment_settlement_seconds',
    help: 'Time from accepting a payment to its final status',
    labelNames: ['mode'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30],
    registers: [registry],
  });
  const unavailable = new Counter({
    name: 'payment_chain_unavailable_total',
    help: 'Settlements cut short because the chain RPC did not answer',
    registers: [registry],
  });
  const refunds = new Counter({ name: 'payment_refunds_total', help: 'Payments refunded', registers: [registry] });
  const replays = new Counter({
    name: 'payment_idempotent_replays_total',
    help: 'Pay calls answered with the payment already recorded under their idempotency key',
    registers: [registry],
  });
  return {
    settled: (status, mode, seconds) => {
      payments.inc({ status, mode });
      duration.observe({ mode }, seconds);
    },
    chainUnavailable: () => unavailable.inc(),
    refunded: () => refunds.inc(),
    replayed: () => replays.inc(),
  };
}

/**
 * The ledger by status, read at each scrape: how many payments (PENDING ones
 * waiting on the chain among them) and their amount in MNEE. The amount is a
 * float for dashboards only; the exact sums are the ledger's and the logger's.
 */
export function registerLedgerGauges(registry: Registry, ledger: Pick<PaymentStore, 'totals'>): void {
  let reading: Promise<Awaited<ReturnType<PaymentStore['totals']>> | undefined> | undefined;
  // One read of the ledger serves both gauges of a scrape.
  const totals = () =>
    (reading ??= ledger
      .totals()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (reading = undefined))));
  new Gauge({
    name: 'payment_ledger_payments',
    help: 'Payments in the ledger by status (PENDING: waiting for the chain)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const byStatus = await totals();
      // a ledger that cannot be read keeps its last figures (the health check reports the store)
      if (byStatus) for (const status of PaymentStatus.options) this.set({ status }, byStatus[status].count);
    },
  });
  new Gauge({
    name: 'payment_ledger_amount_mnee',
    help: 'Amount of the payments in the ledger by status, in MNEE (for dashboards; not exact)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const byStatus = await totals();
      if (byStatus) for (const status of PaymentStatus.options) this.set({ status }, Number(fromBaseUnits(byStatus[status].amount)));
    },
  });
}
