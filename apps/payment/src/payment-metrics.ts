import { Counter, Histogram, type Registry } from 'prom-client';

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
