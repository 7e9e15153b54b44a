import type { AgentBudget, DemoCheck, DemoTurn } from './demo-report';
import { demoTurn } from './demo-turn';
import {
  budgetPressureChecks,
  isPaid,
  perQueryCostChecks,
  priorityReserveChecks,
  recordChecks,
  type LoggedPayment,
  type Observed,
} from './problem-checks';
import { archiveResult, budget, chatAnswer, imageResult, jobResult, priceResult, SHIPPED_PRICES, toolCall } from './testing/api-answers';

const byId = (budgets: AgentBudget[]) => Object.fromEntries(budgets.map((b) => [b.id, b]));

/** What a problem saw, with every decision and payment of its turns in the audit trail unless told otherwise. */
function observed(turns: DemoTurn[], before: AgentBudget[], after: AgentBudget[], extra: Partial<Observed> = {}): Observed {
  const calls = turns.flatMap((turn) => turn.calls);
  const loggedPayments = new Map<string, LoggedPayment>();
  for (const call of calls)
    if (call.payment) loggedPayments.set(call.payment.id, { status: call.payment.status, amount: call.payment.amount });
  return {
    mode: 'chain',
    turns,
    before: byId(before),
    after: byId(after),
    prices: SHIPPED_PRICES,
    loggedDecisions: new Set(calls.map((call) => call.decisionId)),
    loggedPayments,
    ...extra,
  };
}

const fail = (why: string): never => {
  throw new Error(why);
};
const verdicts = (checks: DemoCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c.ok]));
const checkOf = (checks: DemoCheck[], id: string) => {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

const job = (action: 'ALLOWED' | 'REJECTED', reason: 'WITHIN_POLICY' | 'PRIORITY_RESERVE_EXCEEDED' | 'DAILY_BUDGET_EXCEEDED') =>
  demoTurn(
    'batch-agent',
    'run a batch job',
    chatAnswer('batch-agent', [
      toolCall({
        agentId: 'batch-agent',
        tool: 'submit_batch_job',
        action,
        reason,
        variant: 'standard',
        amount: '1.50',
        result: jobResult(),
      }),
    ]),
  );
const image = (payment?: { status: 'SUCCESS' | 'FAILED' }) =>
  demoTurn(
    'user-agent',
    'draw a lighthouse',
    chatAnswer('user-agent', [
      toolCall({
        agentId: 'user-agent',
        tool: 'generate_image',
        action: 'ALLOWED',
        reason: 'WITHIN_POLICY',
        variant: 'standard',
        amount: '0.50',
        payment,
        result: imageResult(),
      }),
    ]),
  );

describe('the priority reserve problem', () => {
  const before = [budget('batch-agent', 'LOW', '6.00', '0.00', '6.00'), budget('user-agent', 'HIGH', '5.00', '0.00', '5.00')];
  const after = [budget('batch-agent', 'LOW', '6.00', '3.00', '3.00'), budget('user-agent', 'HIGH', '5.00', '0.50', '4.50')];

  it('passes when jobs are paid until the reserve rejects one, with room left in batch-agent’s budget, and user-agent gets its image', () => {
    const turns = [job('ALLOWED', 'WITHIN_POLICY'), job('ALLOWED', 'WITHIN_POLICY'), job('REJECTED', 'PRIORITY_RESERVE_EXCEEDED'), image()];
    const checks = priorityReserveChecks(observed(turns, before, after));
    expect(verdicts(checks)).toEqual({
      'reserve.jobs-paid-first': true,
      'reserve.rejected': true,
      'reserve.own-budget-had-room': true,
      'reserve.high-served': true,
    });
    expect(checkOf(checks, 'reserve.rejected').seen).toBe('job 3: REJECTED PRIORITY_RESERVE_EXCEEDED, nothing paid');
  });

  it('fails, saying what it saw, when no job is ever rejected', () => {
    const turns = [job('ALLOWED', 'WITHIN_POLICY'), job('ALLOWED', 'WITHIN_POLICY'), job('ALLOWED', 'WITHIN_POLICY'), image()];
    const rejected = checkOf(priorityReserveChecks(observed(turns, before, after)), 'reserve.rejected');
    expect(rejected).toMatchObject({
      ok: false,
      expected: 'REJECTED PRIORITY_RESERVE_EXCEEDED, nothing paid',
      seen: '3 jobs, none stopped',
    });
  });

  it('fails when the job is refused by batch-agent’s own budget rather than the reserve', () => {
    const spent = [budget('batch-agent', 'LOW', '6.00', '6.00', '0.00'), budget('user-agent', 'HIGH', '5.00', '0.50', '4.50')];
    const turns = [job('ALLOWED', 'WITHIN_POLICY'), job('REJECTED', 'DAILY_BUDGET_EXCEEDED'), image()];
    const checks = priorityReserveChecks(observed(turns, before, spent));
    expect(verdicts(checks)).toMatchObject({ 'reserve.rejected': false, 'reserve.own-budget-had-room': false });
    expect(checkOf(checks, 'reserve.own-budget-had-room').seen).toBe('0.00 of 6.00 left');
  });

  it('fails when user-agent’s image is not paid', () => {
    const turns = [job('ALLOWED', 'WITHIN_POLICY'), job('REJECTED', 'PRIORITY_RESERVE_EXCEEDED'), image({ status: 'FAILED' })];
    expect(verdicts(priorityReserveChecks(observed(turns, before, after)))).toMatchObject({ 'reserve.high-served': false });
  });
});

const archive = (action: 'ALLOWED' | 'DOWNGRADED', variant: 'full' | 'summary', served: 'full' | 'summary' = variant) =>
  demoTurn(
    'ops-agent',
    'archive these logs:\nERROR disk full',
    chatAnswer('ops-agent', [
      toolCall({
        agentId: 'ops-agent',
        tool: 'archive_logs',
        action,
        reason: action === 'ALLOWED' ? 'WITHIN_POLICY' : 'BUDGET_PRESSURE_DOWNGRADE',
        variant,
        amount: variant === 'full' ? '0.30' : '0.05',
        result: archiveResult(served),
      }),
    ]),
  );

describe('the budget pressure problem', () => {
  const before = [budget('ops-agent', 'MEDIUM', '1.00', '0.00', '1.00')];
  const after = [budget('ops-agent', 'MEDIUM', '1.00', '0.65', '0.35')];

  it('passes when full archives are paid until one is downgraded to a paid summary', () => {
    const checks = budgetPressureChecks(
      observed([archive('ALLOWED', 'full'), archive('ALLOWED', 'full'), archive('DOWNGRADED', 'summary')], before, after),
    );
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checkOf(checks, 'pressure.downgraded').seen).toBe(
      'archive 3: DOWNGRADED BUDGET_PRESSURE_DOWNGRADE summary 0.05, paid 0.05 SUCCESS',
    );
  });

  it('fails when every archive is kept in full', () => {
    const turns = [1, 2, 3, 4].map(() => archive('ALLOWED', 'full'));
    const checks = budgetPressureChecks(observed(turns, before, after));
    expect(verdicts(checks)).toEqual({ 'pressure.full-first': true, 'pressure.downgraded': false, 'pressure.summary-kept': false });
    expect(checkOf(checks, 'pressure.downgraded').seen).toBe('4 archives, none downgraded');
  });

  it('fails when the provider keeps a full archive for a summary payment', () => {
    const checks = budgetPressureChecks(observed([archive('ALLOWED', 'full'), archive('DOWNGRADED', 'summary', 'full')], before, after));
    expect(verdicts(checks)).toMatchObject({ 'pressure.downgraded': true, 'pressure.summary-kept': false });
  });
});

const prices = (...bases: string[]) =>
  demoTurn(
    'user-agent',
    `price of ${bases.join(' and ')}`,
    chatAnswer(
      'user-agent',
      bases.map((base) =>
        toolCall({
          agentId: 'user-agent',
          tool: 'get_price',
          action: 'ALLOWED',
          reason: 'WITHIN_POLICY',
          variant: 'query',
          amount: '0.05',
          result: priceResult(base, 'USD', '1.00'),
        }),
      ),
    ),
  );

describe('the per-query cost problem', () => {
  const before = [budget('user-agent', 'HIGH', '5.00', '0.50', '4.50')];
  const after = [budget('user-agent', 'HIGH', '5.00', '0.75', '4.25')];

  it('passes when each query is paid 0.05 and the spend grew by exactly their sum', () => {
    const checks = perQueryCostChecks(observed([prices('ETH', 'BTC', 'SOL'), prices('BTC', 'MNEE')], before, after), 5);
    expect(verdicts(checks)).toEqual({ 'price.each-paid': true, 'price.total': true, 'price.budget-moved': true });
    expect(checkOf(checks, 'price.total')).toMatchObject({ expected: '5 x 0.05 = 0.25', seen: 'payments total 0.25' });
  });

  it('fails when the spend moved by a different amount than the payments', () => {
    const more = [budget('user-agent', 'HIGH', '5.00', '0.80', '4.20')];
    const checks = perQueryCostChecks(observed([prices('ETH', 'BTC', 'SOL'), prices('BTC', 'MNEE')], before, more), 5);
    expect(checkOf(checks, 'price.budget-moved')).toMatchObject({ ok: false, seen: 'spent 0.50 -> 0.80 (+0.30), reserved 0.00' });
  });

  it('fails when fewer queries were made than asked', () => {
    const checks = perQueryCostChecks(observed([prices('ETH', 'BTC', 'SOL')], before, after), 5);
    expect(verdicts(checks)).toMatchObject({ 'price.each-paid': false, 'price.total': false });
  });
});

describe('a paid call', () => {
  const call = (payment: { status: 'SUCCESS' | 'MOCK'; txHash?: string | null; amount?: string }) =>
    demoTurn(
      'user-agent',
      'price',
      chatAnswer('user-agent', [
        toolCall({
          agentId: 'user-agent',
          tool: 'get_price',
          action: 'ALLOWED',
          reason: 'WITHIN_POLICY',
          variant: 'query',
          amount: '0.05',
          payment,
        }),
      ]),
    ).calls[0] ?? fail('no call');

  it('is settled on chain with a tx hash in chain mode, and MOCK in mock mode, for the amount granted', () => {
    expect(isPaid(call({ status: 'SUCCESS' }), 'chain')).toBe(true);
    expect(isPaid(call({ status: 'SUCCESS', txHash: null }), 'chain')).toBe(false);
    expect(isPaid(call({ status: 'MOCK' }), 'chain')).toBe(false);
    expect(isPaid(call({ status: 'MOCK' }), 'mock')).toBe(true);
    expect(isPaid(call({ status: 'SUCCESS', amount: '0.050' }), 'chain')).toBe(true);
    expect(isPaid(call({ status: 'SUCCESS', amount: '0.06' }), 'chain')).toBe(false);
  });
});

describe('the audit trail checks', () => {
  const turns = [prices('ETH', 'BTC')];
  const [first, second] = turns[0]?.calls ?? [];

  it('pass when every decision and payment is on record', () => {
    expect(recordChecks(observed(turns, [], [])).every((c) => c.ok)).toBe(true);
  });

  it('name the decision missing from GET /policy/logs and the payment recorded with another amount', () => {
    const checks = recordChecks(
      observed(turns, [], [], {
        loggedDecisions: new Set([first?.decisionId ?? '']),
        loggedPayments: new Map([
          [first?.payment?.id ?? '', { status: 'SUCCESS', amount: '0.05' }],
          [second?.payment?.id ?? '', { status: 'SUCCESS', amount: '0.10' }],
        ]),
      }),
    );
    expect(checkOf(checks, 'record.decisions')).toMatchObject({ ok: false, seen: `1 of 2 decisions; missing ${second?.decisionId}` });
    expect(checkOf(checks, 'record.payments')).toMatchObject({
      ok: false,
      seen: `1 of 2 payments; missing or different ${second?.payment?.id}`,
    });
  });

  it('report a chat the gateway answered with an error', () => {
    const failed: DemoTurn = {
      agentId: 'ops-agent',
      message: 'archive',
      calls: [],
      error: { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'policy down' },
    };
    expect(checkOf(recordChecks(observed([failed], [], [])), 'chat.answered')).toMatchObject({
      ok: false,
      seen: 'ops-agent: 503 SERVICE_UNAVAILABLE policy down',
    });
  });
});
