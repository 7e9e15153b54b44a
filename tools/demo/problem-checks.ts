import { fromBaseUnits, sumMoney, toBaseUnits, type PaymentMode, type PaymentStatus } from '@nexus/types';
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
    {
      id: 'chat.answered',
      description: 'each chat turn was answered',
      expected: count(observed.turns.length, 'answer'),
      seen:
        failed.length === 0
          ? count(observed.turns.length, 'answer')
          : failed.map((turn) => `${turn.agentId}: ${turn.error?.status} ${turn.error?.code} ${turn.error?.message}`).join('; '),
      ok: failed.length === 0,
    },
    {
      id: 'record.decisions',
      description: 'each decision is in the audit trail (GET /policy/logs)',
      expected: `${calls.length} of ${calls.length} decisions`,
      seen: `${calls.length - missingDecisions.length} of ${calls.length} decisions${missingDecisions.length ? `; missing ${missingDecisions.map((call) => call.decisionId).join(', ')}` : ''}`,
      ok: missingDecisions.length === 0,
    },
    {
      id: 'record.payments',
      description: 'each payment is in the ledger with the same status and amount (GET /transactions)',
      expected: `${payments.length} of ${payments.length} payments`,
      seen: `${payments.length - missingPayments.length} of ${payments.length} payments${missingPayments.length ? `; missing or different ${missingPayments.map((payment) => payment.id).join(', ')}` : ''}`,
      ok: missingPayments.length === 0,
    },
  ];
}

/** What the calls before a problem's turning point show: how many of them were paid first, and how the others ended. */
function paidFirstSeen(before: readonly DemoCall[], paid: readonly DemoCall[], noun: string, how: string): string {
  if (before.length === 0) return `no ${noun} before it`;
  const others = before.filter((call) => !paid.includes(call));
  return `${paid.length} of ${count(before.length, noun)} ${how}${others.length > 0 ? ` (${others.map(outcome).join('; ')})` : ''}`;
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
    {
      id: 'reserve.jobs-paid-first',
      description: "batch-agent's jobs are paid while the treasury has room outside the reserve",
      expected: 'at least one BATCH_COMPUTE job ALLOWED and paid before the rejection',
      seen: paidFirstSeen(before, paidFirst, 'job', 'ALLOWED and paid first'),
      ok: paidFirst.length > 0 && paidFirst.length === before.length,
    },
    {
      id: 'reserve.rejected',
      description: "a batch-agent job that would eat the HIGH agents' reserve is rejected, and nothing is paid for it",
      expected: 'REJECTED PRIORITY_RESERVE_EXCEEDED, nothing paid',
      seen: rejection ? `job ${stopped + 1}: ${outcome(rejection)}` : `${jobs.length} jobs, none stopped`,
      ok: rejection?.action === 'REJECTED' && rejection.reason === 'PRIORITY_RESERVE_EXCEEDED' && rejection.payment === null,
    },
    {
      id: 'reserve.own-budget-had-room',
      description: "it is the reserve that said no, not batch-agent's own budget",
      expected: `batch-agent still has at least ${jobPrice ?? 'one job'} of its own budget`,
      seen: batch ? `${batch.remaining} of ${batch.dailyBudget} left` : 'batch-agent not read',
      ok: batch !== undefined && jobPrice !== null && atLeast(batch.remaining, jobPrice),
    },
    {
      id: 'reserve.high-served',
      description: 'user-agent (HIGH) still gets its image',
      expected: 'IMAGE_GEN ALLOWED and paid',
      seen: image ? outcome(image) : 'no image call',
      ok: image !== undefined && image.action === 'ALLOWED' && isPaid(image, observed.mode) && image.served !== null,
    },
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
    {
      id: 'pressure.full-first',
      description: 'archives are kept in full while the budget is healthy',
      expected: `at least one LOG_ARCHIVE full (${priceOf(observed, 'LOG_ARCHIVE', 'full') ?? '?'}) ALLOWED and paid first`,
      seen: paidFirstSeen(before, fullPaid, 'archive', 'kept in full and paid first'),
      ok: fullPaid.length > 0 && fullPaid.length === before.length,
    },
    {
      id: 'pressure.downgraded',
      description: 'once a full archive would leave too little of the budget, the call is downgraded to the summary and paid its price',
      expected: `DOWNGRADED BUDGET_PRESSURE_DOWNGRADE summary ${summaryPrice ?? '?'}, paid ${summaryPrice ?? '?'}`,
      seen: downgrade ? `archive ${stopped + 1}: ${outcome(downgrade)}` : `${archives.length} archives, none downgraded`,
      ok:
        downgrade !== undefined &&
        downgrade.action === 'DOWNGRADED' &&
        downgrade.reason === 'BUDGET_PRESSURE_DOWNGRADE' &&
        downgrade.variant === 'summary' &&
        same(downgrade.amount, summaryPrice) &&
        isPaid(downgrade, observed.mode),
    },
    {
      id: 'pressure.summary-kept',
      description: 'the provider kept a summary archive',
      expected: 'a summary archive',
      seen: downgrade?.served ?? 'nothing served',
      ok: downgrade?.servedVariant === 'summary',
    },
  ];
}

/** Problem 3: every PRICE_ORACLE query is paid on its own, and the costs add up exactly. */
export function perQueryCostChecks(observed: Observed, expectedQueries: number): DemoCheck[] {
  const queries = callsOf(observed, 'user-agent', 'get_price');
  const price = priceOf(observed, 'PRICE_ORACLE', 'query');
  const paid = queries.filter((query) => query.action === 'ALLOWED' && same(query.amount, price) && isPaid(query, observed.mode));
  const paymentIds = new Set(paid.map((query) => query.payment?.id));
  const expectedTotal = price === null ? null : fromBaseUnits(BigInt(expectedQueries) * toBaseUnits(price));
  const paidTotal = sumMoney(queries.flatMap((query) => (query.payment ? [query.payment.amount] : [])));
  const before = observed.before['user-agent'];
  const after = observed.after['user-agent'];
  const grew = before && after ? fromBaseUnits(toBaseUnits(after.spentToday) - toBaseUnits(before.spentToday)) : null;
  return [
    {
      id: 'price.each-paid',
      description: 'each price query is a decision and a payment of its own, at the per-query price',
      expected: `${expectedQueries} queries, each ALLOWED and paid ${price ?? '?'}, ${expectedQueries} distinct payments`,
      seen: `${count(queries.length, 'query', 'queries')}, ${paid.length} ALLOWED and paid ${price ?? '?'}, ${count(paymentIds.size, 'distinct payment')}`,
      ok: queries.length === expectedQueries && paid.length === expectedQueries && paymentIds.size === expectedQueries,
    },
    {
      id: 'price.total',
      description: 'the payments add up to the number of queries times the price',
      expected: `${expectedQueries} x ${price ?? '?'} = ${expectedTotal ?? '?'}`,
      seen: `payments total ${paidTotal}`,
      ok: same(paidTotal, expectedTotal),
    },
    {
      id: 'price.budget-moved',
      description: "user-agent's spend grew by exactly that total, with nothing left held",
      expected: `spent +${expectedTotal ?? '?'}, reserved 0.00`,
      seen:
        before && after
          ? `spent ${before.spentToday} -> ${after.spentToday} (+${grew}), reserved ${after.reserved}`
          : 'user-agent not read',
      ok: same(grew, expectedTotal) && after !== undefined && toBaseUnits(after.reserved) === 0n,
    },
  ];
}
