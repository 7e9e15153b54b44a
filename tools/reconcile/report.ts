import { z } from 'zod';
import { NetMoney } from '@nexus/types';

/**
 * What `npm run reconcile -- --json` prints: one JSON object, stable within
 * `version`. Money is a decimal string of MNEE ("0.05"; "-0.05" only in a
 * difference), never a number. Tests and scripts should read `exitCode`,
 * `checks[].status` and the `kind` of each discrepancy; messages are for people.
 */

export const CheckId = z.enum(['ledger-chain', 'x402-chain', 'ledger-logger', 'ledger-policy', 'policy-logger']);
export type CheckId = z.infer<typeof CheckId>;

/** Where a figure comes from: the payments ledger, the router's (x402-chain: the token's) events on chain, the logger's audit trail, the policy's holds and decisions. */
export const Side = z.enum(['ledger', 'chain', 'logger', 'stats', 'policy']);
export type Side = z.infer<typeof Side>;

export const SourceId = z.enum(['policy', 'payment', 'logger', 'chain']);
export type SourceId = z.infer<typeof SourceId>;

export const SourceReport = z.object({
  source: SourceId,
  /** READ: read in full; SKIPPED: not needed (the chain in mock mode); FAILED: could not be read (exit code 2). */
  status: z.enum(['READ', 'SKIPPED', 'FAILED']),
  /** the service URL or the RPC URL */
  where: z.string(),
  /** why it was skipped or failed; what was read otherwise */
  detail: z.string(),
});
export type SourceReport = z.infer<typeof SourceReport>;

/** The record a finding is about. `total` ids name the figure (`paid`, `ALLOWED`, `spendByAgent.user-agent`, …). */
export const RecordRef = z.object({
  type: z.enum(['payment', 'chain-payment', 'chain-refund', 'reservation', 'decision', 'event', 'agent', 'total']),
  id: z.string(),
});
export type RecordRef = z.infer<typeof RecordRef>;

/**
 * Stable codes of what can disagree. ledger-chain: PAYMENT_NOT_ON_CHAIN,
 * PAYMENT_DIFFERS_ON_CHAIN, REFUND_NOT_ON_CHAIN, REFUND_NOT_IN_LEDGER,
 * REFUND_DIFFERS_ON_CHAIN, PAID_ON_CHAIN_NOT_IN_LEDGER (a ref the ledger
 * says FAILED), PAYMENT_NOT_IN_LEDGER, TOTAL_DIFFERS. x402-chain:
 * X402_NOT_ON_CHAIN (no AuthorizationUsed of the payment's payer and nonce),
 * X402_DIFFERS_ON_CHAIN (its Transfer's amount or payee, its transaction,
 * or no Transfer to our payee), X402_NOT_IN_LEDGER (an AuthorizationUsed
 * whose Transfer paid one of our payees, with no x402 payment). ledger-logger:
 * PAYMENT_NOT_LOGGED, LOGGED_STATUS_DIFFERS, LOGGED_AMOUNT_DIFFERS,
 * LOGGED_PAYMENT_DIFFERS (agent, service), LOGGED_TWICE,
 * LOGGED_REFUND_WITHOUT_PAYMENT, LOGGED_PAYMENT_UNKNOWN, TOTAL_DIFFERS,
 * STATS_DIFFERS. ledger-policy: PAYMENT_WITHOUT_HOLD, HOLD_DIFFERS,
 * CHARGED_HOLD_NOT_COMMITTED, COMMITTED_AMOUNT_DIFFERS,
 * REFUNDED_HOLD_COMMITTED, FAILED_HOLD_COMMITTED, SPENT_WITHOUT_PAYMENT,
 * DOUBLE_CHARGE, AGENT_SPEND_DIFFERS, AGENT_RESERVED_DIFFERS.
 * policy-logger: DECISION_NOT_LOGGED, LOGGED_DECISION_DIFFERS,
 * LOGGED_TWICE, LOGGED_DECISION_UNKNOWN, ACTION_COUNT_DIFFERS.
 */
export const Discrepancy = z.object({
  check: CheckId,
  kind: z.string(),
  record: RecordRef,
  /** one sentence: what disagrees */
  message: z.string(),
  /** what each side says about the record */
  sides: z.partialRecord(Side, z.string()),
});
export type Discrepancy = z.infer<typeof Discrepancy>;

/**
 * Not a disagreement. IN_FLIGHT: a hold still HELD or a payment still PENDING
 * (a call under way, or a settlement waiting to be retried). UNCHECKED: a
 * record that cannot be checked here, e.g. a payment made before the
 * current chain was deployed (a restarted local node forgets its history).
 */
export const Notice = z.object({
  check: CheckId,
  kind: z.string(),
  record: RecordRef,
  message: z.string(),
});
export type Notice = z.infer<typeof Notice>;

export const CheckReport = z.object({
  id: CheckId,
  /** e.g. "ledger ↔ chain" */
  title: z.string(),
  /** PASS: everything agrees; FAIL: see `discrepancies`; SKIPPED: a source was not read (see `reason`). */
  status: z.enum(['PASS', 'FAIL', 'SKIPPED']),
  /** the one line the text report prints */
  summary: z.string(),
  /** null unless SKIPPED */
  reason: z.string().nullable(),
  /**
   * Totals by side. ledger-chain: ledger/chain {paid, refunded, net}; x402-chain: ledger/chain {paid};
   * ledger-logger: ledger/logger {paid, refunded, net}, stats {net};
   * ledger-policy: ledger {charged, pending}, policy {committed, held, spentThisPeriod, reservedThisPeriod};
   * policy-logger: none (see `counts`).
   */
  amounts: z.partialRecord(Side, z.record(z.string(), NetMoney)),
  /**
   * Counts by side: records compared, and decisions per action (policy-logger).
   * ledger-chain's chain side also counts the router events it skipped:
   * `foreignEvents` (another payer's) and `malformedEvents` (did not decode).
   * x402-chain: ledger {x402}, chain {authorizations (to our payees), foreignAuthorizations (skipped)}.
   */
  counts: z.partialRecord(Side, z.record(z.string(), z.number().int())),
  discrepancies: z.number().int(),
  inFlight: z.number().int(),
  unchecked: z.number().int(),
});
export type CheckReport = z.infer<typeof CheckReport>;

export const ReconcileReport = z.object({
  version: z.literal(1),
  /** AGREE (exit 0), DISAGREE (exit 1), UNREADABLE (exit 2: a source could not be read; the checks that did not need it still ran) */
  status: z.enum(['AGREE', 'DISAGREE', 'UNREADABLE']),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  /** when collection started */
  takenAt: z.iso.datetime(),
  /** the payment service's mode; null when it could not be read */
  mode: z.enum(['chain', 'mock']).nullable(),
  sources: z.array(SourceReport),
  checks: z.array(CheckReport),
  discrepancies: z.array(Discrepancy),
  inFlight: z.array(Notice),
  unchecked: z.array(Notice),
  /** anything else worth knowing (settings that disagree with the stack, a busy policy) */
  notes: z.array(z.string()),
});
export type ReconcileReport = z.infer<typeof ReconcileReport>;

export const CHECK_TITLES: Record<CheckId, string> = {
  'ledger-chain': 'ledger ↔ chain',
  'x402-chain': 'ledger ↔ token',
  'ledger-logger': 'ledger ↔ logger',
  'ledger-policy': 'ledger ↔ policy',
  'policy-logger': 'policy ↔ logger',
};
