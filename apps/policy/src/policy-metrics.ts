import { Counter, type Registry } from 'prom-client';
import type { Decision, ReservationStatus } from '@nexus/types';

/** What the policy counts for Prometheus, beside the kit's process and HTTP metrics. */
export interface PolicyMetrics {
  decided: (decision: Decision) => void;
  settled: (status: ReservationStatus, count?: number) => void;
}

export function createPolicyMetrics(registry: Registry): PolicyMetrics {
  const decisions = new Counter({
    name: 'policy_decisions_total',
    help: 'Policy decisions stored, by action and reason code (answers replayed for a known idempotency key excluded)',
    labelNames: ['action', 'reason'] as const,
    registers: [registry],
  });
  const replays = new Counter({
    name: 'policy_idempotent_replays_total',
    help: 'Decide calls answered from the record of a known idempotency key',
    registers: [registry],
  });
  const settlements = new Counter({
    name: 'policy_holds_settled_total',
    help: 'Holds that left HELD, by the status they reached',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  return {
    decided: (decision) => (decision.replayed ? replays.inc() : decisions.inc({ action: decision.action, reason: decision.reason })),
    settled: (status, count = 1) => settlements.inc({ status }, count),
  };
}
