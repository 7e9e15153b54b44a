import { fromBaseUnits, toBaseUnits, type PaymentMode, type PaymentStatus } from '@nexus/types';
import type { AgentBudget, DemoCall, DemoCheck, DemoTurn } from './demo-report';

/** serviceId → variant id → price, from GET /services. */
export type PriceList = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** What one problem's checks look at: its chat turns, budgets around it, prices and the audit trail. */
export interface Observed {
  mode: PaymentMode | null;
  turns: readonly DemoTurn[];
  /** by agent id, before the problem's first turn and after its last */
  before: Readonly<Record<string, AgentBudget>>;
  after: Readonly<Record<string, AgentBudget>>;
  prices: PriceList;
  /** ids of the problem's decisions found in GET /policy/logs */
  loggedDecisions: ReadonlySet<string>;
  /** the problem's payments found in GET /transactions, by id */
  loggedPayments: ReadonlyMap<string, LoggedPayment>;
}

export interface LoggedPayment {
  status: PaymentStatus;
  amount: string;
}

const check = (id: string, description: string, expected: string, seen: string, ok: boolean): DemoCheck => ({
  id,
  description,
  expected,
  seen,
  ok,
});

const sum = (amounts: readonly string[]) => fromBaseUnits(amounts.reduce((total, amount) => total + toBaseUnits(amount), 0n));
const same = (a: string | null | undefined, b: string | null | undefined) =>
  a !== null && a !== undefined && b !== null && b !== undefined && toBaseUnits(a) === toBaseUnits(b);
const atLeast = (a: string, b: string) => toBaseUnits(a) >= toBaseUnits(b);
/** "1 job", "2 jobs" */
export const count = (n: number, noun: string, plural = `${noun}s`) => `${n} ${n === 1 ? noun : plural}`;

/** A call that was paid what the policy granted: a settled payment (SUCCESS on chain, with its tx hash; MOCK in mock mode). */
export function isPaid(call: DemoCall, mode: PaymentMode | null): boolean {
  const { payment } = call;
  if (!payment || call.error || !same(payment.amount, call.amount)) return false;
  return mode === 'mock' ? payment.status === 'MOCK' : payment.status === 'SUCCESS' && payment.txHash !== null;
}

/** "REJECTED PRIORITY_RESERVE_EXCEEDED, nothing paid", "ALLOWED WITHIN_POLICY standard 1.50, paid SUCCESS"... */
export function outcome(call: DemoCall): string {
  const head = `${call.action} ${call.reason}${call.variant && call.action !== 'REJECTED' ? ` ${call.variant} ${call.amount ?? ''}`.trimEnd() : ''}`;
  if (call.error) return `${head}, failed: ${call.error.code}`;
  return call.payment ? `${head}, paid ${call.payment.amount} ${call.payment.status}` : `${head}, nothing paid`;
}

const callsOf = (observed: Observed, agentId: string, tool: DemoCall['tool']) =>
  observed.turns.filter((turn) => turn.agentId === agentId).flatMap((turn) => turn.calls.filter((call) => call.tool === tool));

const priceOf = (observed: Observed, serviceId: string, variant: string): string | null => observed.prices[serviceId]?.[variant] ?? null;

/** Checks every problem has: each chat answered, each decision and payment on record. */
export function recordChecks(observed: Observed): DemoCheck[] {
  const failed = observed.turns.filter((turn) => turn.error);
  const calls = observed.turns.flatMap((turn) => turn.calls);
  const missingDecisions = calls.filter((call) => !observed.loggedDecisions.has(call.decisionId));
  const payments = calls.flatMap((call) => (call.payment ? [call.payment] : []));
  const missingPayments = payments.filter((payment) => {
    const logged = observed.loggedPayments.get(payment.id);
    return !logged || logged.status !== payment.status || !same(logged.amount, payment.amount);
  });
  return [
    check(
      'chat.answered',
      'each chat turn was answered',
      count(observed.turns.length, 'answer'),
      failed.length === 0
        ? count(observed.turns.length, 'answer')
        : failed.map((turn) => `${turn.agentId}: ${turn.error?.status} ${turn.error?.code} ${turn.error?.message}`).join('; '),
      failed.length === 0,
    ),
    check(
      'record.decisions',
      'each decision is in the audit trail (GET /policy/logs)',
      `${calls.length} of ${calls.length} decisions`,
      `${calls.length - missingDecisions.length} of ${calls.length} decisions${missingDecisions.length ? `; missing ${missingDecisions.map((call) => call.decisionId).join(', ')}` : ''}`,
      missingDecisions.length === 0,
    ),
    check(
      'record.payments',
      'each payment is in the ledger with the same status and amount (GET /transactions)',
      `${payments.length} of ${payments.length} payments`,
      `${payments.length - missingPayments.length} of ${payments.length} payments${missingPayments.length ? `; missing or different ${missingPayments.map((payment) => payment.id).join(', ')}` : ''}`,
      missingPayments.length === 0,
    ),
  ];
}

/** Problem 1: batch-agent (LOW) is stopped at the share of the treasury kept for HIGH agents; user-agent (HIGH) is still served. */
export function priorityReserveChecks(observed: Observed): DemoCheck[] {
  const jobs = callsOf(observed, 'batch-agent', 'submit_batch_job');
  const stopped = jobs.findIndex((job) => job.action !== 'ALLOWED');
  const before = stopped < 0 ? jobs : jobs.slice(0, stopped);
  const paidFirst = before.filter((job) => job.action === 'ALLOWED' && isPaid(job, observed.mode));
  const rejection = stopped < 0 ? undefined : jobs[stopped];
  const jobPrice = priceOf(observed, 'BATCH_COMPUTE', 'standard');
  const batch = observed.after['batch-agent'];
  const [image] = callsOf(observed, 'user-agent', 'generate_image');
  return [
    check(
      'reserve.jobs-paid-first',
      "batch-agent's jobs are paid while the treasury has room outside the reserve",
      'at least one BATCH_COMPUTE job ALLOWED and paid before the rejection',
      before.length === 0
        ? 'no job before it'
        : `${paidFirst.length} of ${count(before.length, 'job')} ALLOWED and paid first${
            before.length > paidFirst.length
              ? ` (${before
                  .filter((job) => !paidFirst.includes(job))
                  .map(outcome)
                  .join('; ')})`
              : ''
          }`,
      paidFirst.length > 0 && paidFirst.length === before.length,
    ),
    check(
      'reserve.rejected',
      "a batch-agent job that would eat the HIGH agents' reserve is rejected, and nothing is paid for it",
      'REJECTED PRIORITY_RESERVE_EXCEEDED, nothing paid',
      rejection ? `job ${stopped + 1}: ${outcome(rejection)}` : `${jobs.length} jobs, none stopped`,
      rejection?.action === 'REJECTED' && rejection.reason === 'PRIORITY_RESERVE_EXCEEDED' && rejection.payment === null,
    ),
    check(
      'reserve.own-budget-had-room',
      "it is the reserve that said no, not batch-agent's own budget",
      `batch-agent still has at least ${jobPrice ?? 'one job'} of its own budget`,
      batch ? `${batch.remaining} of ${batch.dailyBudget} left` : 'batch-agent not read',
      batch !== undefined && jobPrice !== null && atLeast(batch.remaining, jobPrice),
    ),
    check(
      'reserve.high-served',
      'user-agent (HIGH) still gets its image',
      'IMAGE_GEN ALLOWED and paid',
      image ? outcome(image) : 'no image call',
      image !== undefined && image.action === 'ALLOWED' && isPaid(image, observed.mode) && image.served !== null,
    ),
  ];
}

/** Problem 2: ops-agent's LOG_ARCHIVE switches to the summary variant once its budget runs low. */
export function budgetPressureChecks(observed: Observed): DemoCheck[] {
  const archives = callsOf(observed, 'ops-agent', 'archive_logs');
  const stopped = archives.findIndex((archive) => archive.action !== 'ALLOWED');
  const before = stopped < 0 ? archives : archives.slice(0, stopped);
  const fullPaid = before.filter((archive) => archive.variant === 'full' && isPaid(archive, observed.mode));
  const downgrade = stopped < 0 ? undefined : archives[stopped];
  const summaryPrice = priceOf(observed, 'LOG_ARCHIVE', 'summary');
  return [
    check(
      'pressure.full-first',
      'archives are kept in full while the budget is healthy',
      `at least one LOG_ARCHIVE full (${priceOf(observed, 'LOG_ARCHIVE', 'full') ?? '?'}) ALLOWED and paid first`,
      before.length === 0
        ? 'no archive before it'
        : `${fullPaid.length} of ${count(before.length, 'archive')} kept in full and paid first${
            before.length > fullPaid.length
              ? ` (${before
                  .filter((archive) => !fullPaid.includes(archive))
                  .map(outcome)
                  .join('; ')})`
              : ''
          }`,
      fullPaid.length > 0 && fullPaid.length === before.length,
    ),
    check(
      'pressure.downgraded',
      'once a full archive would leave too little of the budget, the call is downgraded to the summary and paid its price',
      `DOWNGRADED BUDGET_PRESSURE_DOWNGRADE summary ${summaryPrice ?? '?'}, paid ${summaryPrice ?? '?'}`,
      downgrade ? `archive ${stopped + 1}: ${outcome(downgrade)}` : `${archives.length} archives, none downgraded`,
      downgrade !== undefined &&
        downgrade.action === 'DOWNGRADED' &&
        downgrade.reason === 'BUDGET_PRESSURE_DOWNGRADE' &&
        downgrade.variant === 'summary' &&
        same(downgrade.amount, summaryPrice) &&
        isPaid(downgrade, observed.mode),
    ),
    check(
      'pressure.summary-kept',
      'the provider kept a summary archive',
      'a summary archive',
      downgrade?.served ?? 'nothing served',
      downgrade?.servedVariant === 'summary',
    ),
  ];
}

/** Problem 3: every PRICE_ORACLE query is paid on its own, and the costs add up exactly. */
export function perQueryCostChecks(observed: Observed, expectedQueries: number): DemoCheck[] {
  const queries = callsOf(observed, 'user-agent', 'get_price');
  const price = priceOf(observed, 'PRICE_ORACLE', 'query');
  const paid = queries.filter((query) => query.action === 'ALLOWED' && same(query.amount, price) && isPaid(query, observed.mode));
  const paymentIds = new Set(paid.map((query) => query.payment?.id));
  const expectedTotal = price === null ? null : fromBaseUnits(BigInt(expectedQueries) * toBaseUnits(price));
  const paidTotal = sum(queries.flatMap((query) => (query.payment ? [query.payment.amount] : [])));
  const before = observed.before['user-agent'];
  const after = observed.after['user-agent'];
  const grew = before && after ? fromBaseUnits(toBaseUnits(after.spentToday) - toBaseUnits(before.spentToday)) : null;
  return [
    check(
      'price.each-paid',
      'each price query is a decision and a payment of its own, at the per-query price',
      `${expectedQueries} queries, each ALLOWED and paid ${price ?? '?'}, ${expectedQueries} distinct payments`,
      `${count(queries.length, 'query', 'queries')}, ${paid.length} ALLOWED and paid ${price ?? '?'}, ${count(paymentIds.size, 'distinct payment')}`,
      queries.length === expectedQueries && paid.length === expectedQueries && paymentIds.size === expectedQueries,
    ),
    check(
      'price.total',
      'the payments add up to the number of queries times the price',
      `${expectedQueries} x ${price ?? '?'} = ${expectedTotal ?? '?'}`,
      `payments total ${paidTotal}`,
      same(paidTotal, expectedTotal),
    ),
    check(
      'price.budget-moved',
      "user-agent's spend grew by exactly that total, with nothing left held",
      `spent +${expectedTotal ?? '?'}, reserved 0.00`,
      before && after ? `spent ${before.spentToday} -> ${after.spentToday} (+${grew}), reserved ${after.reserved}` : 'user-agent not read',
      same(grew, expectedTotal) && after !== undefined && toBaseUnits(after.reserved) === 0n,
    ),
  ];
}
