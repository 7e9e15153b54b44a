import { Counter, type Registry } from 'prom-client';

/** What the paywall counts, beside the service kit's process and HTTP metrics. */
export interface PaywallMetrics {
  /** a call was asked to pay (402 without a proof) */
  paymentRequired: () => void;
  /** a proof was refused: invalid (by reason), already redeemed, or unverifiable */
  proofRefused: (reason: string) => void;
  /** a redeemed call ended: served, refunded or refund_failed */
  callEnded: (outcome: 'served' | 'refunded' | 'refund_failed') => void;
}

export function createPaywallMetrics(registry: Registry): PaywallMetrics {
  const required = new Counter({
    name: 'provider_payment_required_total',
    help: 'Calls answered 402 for want of a proof',
    registers: [registry],
  });
  const refused = new Counter({
    name: 'provider_proofs_refused_total',
    help: 'Payment proofs refused, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const ended = new Counter({
    name: 'provider_paid_calls_total',
    help: 'Paid calls after redemption, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    paymentRequired: () => required.inc(),
    proofRefused: (reason) => refused.inc({ reason }),
    callEnded: (outcome) => ended.inc({ outcome }),
  };
}
