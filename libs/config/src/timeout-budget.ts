import { ConfigError, type ConfigProblem } from './config-error';

/** Waits that must nest: a paid call's steps all happen while its hold lives. */
export interface TimeoutBudget {
  /** policy.yaml `holds.ttlSeconds` (NEXUS_HOLD_TTL_SECONDS): how long a hold lives */
  holdTtlSeconds: number;
  /** the free precheck of the input, before paying */
  precheckTimeoutMs: number;
  /** how long the gateway waits for POST /payments (PAYMENT_TIMEOUT_MS) */
  payTimeoutMs: number;
  /** how long the payment service waits for its confirmations before it answers (PAYMENT_RECEIPT_TIMEOUT_MS); null in mock mode */
  receiptTimeoutMs: number | null;
  /** how long a provider may take over its paid work (PROVIDER_TIMEOUT_MS) */
  providerTimeoutMs: number;
}

/** Slack for the hops around each wait (decide, commit, the network). */
export const TIMEOUT_MARGIN_MS = 10_000;

const seconds = (ms: number) => `${ms / 1000} s`;

/**
 * Checks at start that the waits fit together, so that no paid call outlives
 * its hold and no payment is given up while it is still being confirmed:
 * - the pay timeout exceeds the payment's confirmation wait by the margin
 *   (else a 1-confirmation payment times out, and the call is never served);
 * - the hold outlives the precheck, the payment and the provider's work,
 *   plus the margin (else the hold expires while the money moves).
 */
export function checkTimeoutBudget(budget: TimeoutBudget): void {
  const problems: ConfigProblem[] = [];
  if (budget.receiptTimeoutMs !== null && budget.payTimeoutMs < budget.receiptTimeoutMs + TIMEOUT_MARGIN_MS)
    problems.push({
      source: 'environment variable PAYMENT_TIMEOUT_MS',
      path: '',
      message:
        `is ${seconds(budget.payTimeoutMs)}: it must be at least PAYMENT_RECEIPT_TIMEOUT_MS (${seconds(budget.receiptTimeoutMs)}, ` +
        `how long a payment waits for its confirmations) plus ${seconds(TIMEOUT_MARGIN_MS)}, so at least ${seconds(budget.receiptTimeoutMs + TIMEOUT_MARGIN_MS)}`,
    });
  const needed = budget.precheckTimeoutMs + budget.payTimeoutMs + budget.providerTimeoutMs + TIMEOUT_MARGIN_MS;
  if (budget.holdTtlSeconds * 1000 < needed)
    problems.push({
      source: 'policy.yaml (or NEXUS_HOLD_TTL_SECONDS)',
      path: 'policy.holds.ttlSeconds',
      message:
        `is ${budget.holdTtlSeconds} s: a hold must outlive the precheck (${seconds(budget.precheckTimeoutMs)}), ` +
        `the payment (PAYMENT_TIMEOUT_MS, ${seconds(budget.payTimeoutMs)}), the provider (PROVIDER_TIMEOUT_MS, ${seconds(budget.providerTimeoutMs)}) ` +
        `and a margin of ${seconds(TIMEOUT_MARGIN_MS)}, so at least ${Math.ceil(needed / 1000)} s (or shorten those timeouts)`,
    });
  if (problems.length > 0) throw new ConfigError(problems);
}
