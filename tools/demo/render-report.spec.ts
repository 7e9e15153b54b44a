import { DemoReport, type DemoAlerts, type DemoApproval, type DemoCheck, type DemoProblem, type DemoTurn } from './demo-report';
import { demoTurn } from './demo-turn';
import { renderReport } from './render-report';
import { archiveResult, budget, chatAnswer, imageResult, jobResult, priceResult, toolCall } from './testing/api-answers';

const passed = (id: string, description: string, seen: string): DemoCheck => ({ id, description, expected: seen, seen, ok: true });

function reserveProblem(): DemoProblem {
  const jobs = [1, 2].map(() =>
    demoTurn(
      'batch-agent',
      'run a batch job',
      chatAnswer('batch-agent', [
        toolCall({
          agentId: 'batch-agent',
          tool: 'submit_batch_job',
          action: 'ALLOWED',
          reason: 'WITHIN_POLICY',
          variant: 'standard',
          amount: '1.50',
          result: jobResult(),
        }),
      ]),
    ),
  );
  const rejected = demoTurn(
    'batch-agent',
    'run a batch job',
    chatAnswer('batch-agent', [
      toolCall({
        agentId: 'batch-agent',
        tool: 'submit_batch_job',
        action: 'REJECTED',
        reason: 'PRIORITY_RESERVE_EXCEEDED',
        variant: 'standard',
        amount: '1.50',
        message: 'BATCH_COMPUTE standard costs 1.50 MNEE and would take treasury spend into the 4.00 MNEE kept for HIGH-priority agents',
      }),
    ]),
  );
  const image = demoTurn(
    'user-agent',
    'draw a lighthouse at dusk, 64x64',
    chatAnswer('user-agent', [
      toolCall({
        agentId: 'user-agent',
        tool: 'generate_image',
        action: 'ALLOWED',
        reason: 'WITHIN_POLICY',
        variant: 'standard',
        amount: '0.50',
        result: imageResult(),
      }),
    ]),
  );
  return {
    id: 'priority-reserve',
    title: 'Priority reserve',
    budgets: {
      before: [budget('batch-agent', 'LOW', '6.00', '0.00', '6.00'), budget('user-agent', 'HIGH', '5.00', '0.00', '5.00')],
      after: [budget('batch-agent', 'LOW', '6.00', '3.00', '3.00'), budget('user-agent', 'HIGH', '5.00', '0.50', '4.50')],
    },
    turns: [...jobs, rejected, image],
    checks: [
      passed('reserve.rejected', 'a job that would eat the reserve is rejected', 'job 3: REJECTED PRIORITY_RESERVE_EXCEEDED, nothing paid'),
    ],
    ok: true,
  };
}

function pressureProblem({ downgraded }: { downgraded: boolean }): DemoProblem {
  const turn: DemoTurn = demoTurn(
    'ops-agent',
    'archive these logs:\nERROR disk full\nINFO started',
    chatAnswer('ops-agent', [
      downgraded
        ? toolCall({
            agentId: 'ops-agent',
            tool: 'archive_logs',
            action: 'DOWNGRADED',
            reason: 'BUDGET_PRESSURE_DOWNGRADE',
            variant: 'summary',
            amount: '0.05',
            message: 'LOG_ARCHIVE full (0.30 MNEE) would leave ops-agent under 25% of its budget; downgraded to summary (0.05 MNEE)',
            result: archiveResult('summary', 2),
          })
        : toolCall({
            agentId: 'ops-agent',
            tool: 'archive_logs',
            action: 'ALLOWED',
            reason: 'WITHIN_POLICY',
            variant: 'full',
            amount: '0.30',
            result: archiveResult('full', 2),
          }),
    ]),
  );
  const check: DemoCheck = downgraded
    ? passed('pressure.downgraded', 'the archive is downgraded to the summary', 'archive 1: DOWNGRADED')
    : {
        id: 'pressure.downgraded',
        description: 'the archive is downgraded to the summary',
        expected: 'DOWNGRADED BUDGET_PRESSURE_DOWNGRADE summary 0.05, paid 0.05',
        seen: '1 archive, none downgraded',
        ok: false,
      };
  return {
    id: 'budget-pressure',
    title: 'Budget pressure',
    budgets: {
      before: [budget('ops-agent', 'MEDIUM', '1.00', '0.60', '0.40')],
      after: [budget('ops-agent', 'MEDIUM', '1.00', '0.65', '0.35')],
    },
    turns: [turn],
    checks: [check],
    ok: check.ok,
  };
}

function priceProblem(status: 'SUCCESS' | 'MOCK'): DemoProblem {
  const turn = demoTurn(
    'user-agent',
    'price of ETH',
    chatAnswer('user-agent', [
      toolCall({
        agentId: 'user-agent',
        tool: 'get_price',
        action: 'ALLOWED',
        reason: 'WITHIN_POLICY',
        variant: 'query',
        amount: '0.05',
        payment: { status },
        result: priceResult('ETH', 'USD', '3150.25'),
      }),
    ]),
  );
  return {
    id: 'per-query-cost',
    title: 'Per-query cost',
    budgets: {
      before: [budget('user-agent', 'HIGH', '5.00', '0.50', '4.50')],
      after: [budget('user-agent', 'HIGH', '5.00', '0.55', '4.45')],
    },
    turns: [turn],
    checks: [passed('price.total', 'the payments add up', 'payments total 0.05')],
    ok: true,
  };
}

function report(problems: DemoProblem[], mode: 'chain' | 'mock' = 'chain'): DemoReport {
  return DemoReport.parse({
    version: 1,
    gatewayUrl: 'http://127.0.0.1:8000',
    mode,
    reset: { done: true, periodId: 7 },
    treasury:
      mode === 'chain'
        ? { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', balanceBefore: '1000000.00', balanceAfter: '999996.45' }
        : { address: null, balanceBefore: null, balanceAfter: null },
    budgets: {
      before: [
        budget('user-agent', 'HIGH', '5.00', '0.00', '5.00'),
        budget('batch-agent', 'LOW', '6.00', '0.00', '6.00'),
        budget('ops-agent', 'MEDIUM', '1.00', '0.60', '0.40'),
      ],
      after: [
        budget('user-agent', 'HIGH', '5.00', '0.55', '4.45'),
        budget('batch-agent', 'LOW', '6.00', '3.00', '3.00'),
        budget('ops-agent', 'MEDIUM', '1.00', '0.65', '0.35'),
      ],
    },
    problems,
    paid: '3.55',
    ok: problems.every((problem) => problem.ok),
  });
}

const paymentsOf = (problems: DemoProblem[]) =>
  problems.flatMap((problem) => problem.turns.flatMap((turn) => turn.calls.flatMap((call) => (call.payment ? [call.payment] : []))));

describe('the demo report', () => {
  it('shows each decision with its action and reason, each payment with its tx hash, and what was served', () => {
    const problems = [reserveProblem(), pressureProblem({ downgraded: true }), priceProblem('SUCCESS')];
    const text = renderReport(report(problems));
    const payments = paymentsOf(problems);
    expect(payments).toHaveLength(5);
    for (const payment of payments) expect(text).toContain(`paid ${payment.amount} MNEE, SUCCESS, tx ${payment.txHash}`);
    expect(text).toMatch(
      /REJECTED +PRIORITY_RESERVE_EXCEEDED +BATCH_COMPUTE standard 1\.50\n +why: .*kept for HIGH-priority agents\n +nothing paid/,
    );
    expect(text).toMatch(/DOWNGRADED BUDGET_PRESSURE_DOWNGRADE +LOG_ARCHIVE summary 0\.05\n +why: .*downgraded to summary/);
    expect(text).toContain('served: ETH/USD = 3150.25');
    expect(text).toMatch(/served: summary archive arc_\w+ of 2 lines/);
    expect(text).toContain('ops-agent > archive these logs: (+2 lines)');
  });

  it('never prints the bytes of an image', () => {
    const text = renderReport(report([reserveProblem()]));
    expect(text).toContain('served: png 64x64, 660 bytes, at /images/');
    expect(text).not.toContain(imageResult().data);
  });

  it('shows the budgets before and after, per problem and for the whole run, and how the treasury moved', () => {
    const text = renderReport(report([reserveProblem(), pressureProblem({ downgraded: true }), priceProblem('SUCCESS')]));
    expect(text).toMatch(/budget batch-agent \(LOW\) +spent 0\.00 -> 3\.00, remaining 6\.00 -> 3\.00 of 6\.00/);
    expect(text).toMatch(/user-agent +HIGH +0\.00 \/ 5\.00 of 5\.00 +0\.55 \/ 4\.45 of 5\.00/);
    expect(text).toMatch(/ops-agent +MEDIUM +0\.60 \/ 0\.40 of 1\.00 +0\.65 \/ 0\.35 of 1\.00/);
    expect(text).toContain('on chain: 1000000.00 -> 999996.45 MNEE (-3.55).');
    expect(text).toContain('The demo paid 3.55 MNEE in all.');
    expect(text).toContain('Budgets reset: period 7 starts now.');
  });

  it('ends by saying every problem played as expected when they did', () => {
    const text = renderReport(report([reserveProblem(), pressureProblem({ downgraded: true }), priceProblem('SUCCESS')]));
    expect(text).toContain(
      '[ok]     a job that would eat the reserve is rejected: job 3: REJECTED PRIORITY_RESERVE_EXCEEDED, nothing paid',
    );
    expect(text).not.toContain('[FAILED]');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Result: all 3 problems played as expected.');
  });

  it('says plainly what was expected and what was seen when an outcome did not happen', () => {
    const text = renderReport(report([reserveProblem(), pressureProblem({ downgraded: false }), priceProblem('SUCCESS')]));
    expect(text).toContain(
      '[FAILED] the archive is downgraded to the summary\n' +
        '           expected: DOWNGRADED BUDGET_PRESSURE_DOWNGRADE summary 0.05, paid 0.05\n' +
        '           seen:     1 archive, none downgraded',
    );
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'Result: 1 of 3 problems did not play as expected: budget-pressure (pressure.downgraded).',
    );
  });

  it('in mock mode shows MOCK payments without a tx hash and no treasury balance', () => {
    const text = renderReport(report([priceProblem('MOCK')], 'mock'));
    expect(text).toContain('(payments recorded as MOCK)');
    expect(text).toMatch(/paid 0\.05 MNEE, MOCK\n/);
    expect(text).not.toContain('on chain:');
  });

  it('shows a chat the gateway refused, with its status and code', () => {
    const problem: DemoProblem = {
      ...priceProblem('SUCCESS'),
      turns: [
        {
          agentId: 'user-agent',
          message: 'price of ETH',
          calls: [],
          error: { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'the policy service is down' },
        },
      ],
    };
    expect(renderReport(report([problem]))).toContain(
      'user-agent > price of ETH\n    the gateway answered 503 SERVICE_UNAVAILABLE: the policy service is down',
    );
  });
});

describe('the approval in the demo report', () => {
  const approval = (approvedStatus: string | null): DemoApproval => ({
    agentId: 'user-agent',
    serviceId: 'PRICE_ORACLE',
    threshold: '0.01',
    decisionId: 'dec_1',
    approvalId: 'apr_1',
    asked: { status: 202, approvalStatus: 'PENDING', action: 'PENDING_APPROVAL' },
    approvedStatus,
    payment: approvedStatus === 'COMPLETED' ? { id: 'pay_1', status: 'MOCK', amount: '0.05', txHash: null } : null,
    checks: [
      { id: 'approval.waits', description: 'waits', expected: '202', seen: '202', ok: true },
      {
        id: 'approval.runs',
        description: 'runs once',
        expected: 'COMPLETED, paid',
        seen: `${approvedStatus ?? 'not approved'}`,
        ok: approvedStatus === 'COMPLETED',
      },
    ],
    ok: approvedStatus === 'COMPLETED',
  });

  it('shows the waiting call, the approve and what it paid', () => {
    const text = renderReport({ ...report([]), approval: approval('COMPLETED') });
    expect(text).toContain('user-agent > PRICE_ORACLE: 202 PENDING_APPROVAL, approval apr_1 PENDING');
    expect(text).toContain('admin approves > COMPLETED');
    expect(text).toContain('paid 0.05 MNEE, MOCK');
    expect(DemoReport.parse({ ...report([]), approval: approval('COMPLETED') }).approval?.ok).toBe(true);
  });

  it('says so when the approval did not play as expected', () => {
    const text = renderReport({ ...report([]), approval: approval(null), ok: false });
    expect(text).toContain('[FAILED] runs once');
    expect(text).toContain('The approval did not play as expected.');
  });
});

describe('the alerts in the demo report', () => {
  const alerts = (fired: boolean): DemoAlerts => ({
    items: fired
      ? [
          {
            agentId: 'ops-agent',
            alertType: 'budget_threshold',
            window: 'daily',
            thresholdPercent: 50,
            severity: 'warning',
            message: 'ops-agent spent 0.60 of its daily budget of 1.00 (50% reached)',
            occurredAt: '2026-12-04T12:00:00.000Z',
          },
        ]
      : [],
    checks: [
      {
        id: 'alerts.budget',
        description: 'ops-agent spent 60% of its daily budget: a daily budget alert says so',
        expected: 'a daily budget_threshold alert',
        seen: fired ? 'a daily budget_threshold alert' : 'none',
        ok: fired,
      },
    ],
    ok: fired,
  });

  it('lists each alert with its severity, agent, window and threshold', () => {
    const text = renderReport({ ...report([]), alerts: alerts(true) });
    expect(text).toContain('Alerts fired during the run (GET /alerts):');
    expect(text).toContain('WARNING budget_threshold ops-agent daily 50%: ops-agent spent 0.60');
    expect(DemoReport.parse({ ...report([]), alerts: alerts(true) }).alerts?.ok).toBe(true);
  });

  it('says so when the expected alert is missing', () => {
    const text = renderReport({ ...report([]), alerts: alerts(false), ok: false });
    expect(text).toContain('  none');
    expect(text).toContain('[FAILED] ops-agent spent 60% of its daily budget');
    expect(text).toContain('The alerts did not fire as expected.');
  });
});
