import { fromBaseUnits, toBaseUnits } from '@nexus/types';
import type { AgentBudget, DemoAlerts, DemoApproval, DemoCall, DemoCheck, DemoProblem, DemoReport, DemoTurn } from './demo-report';

/** The human-readable report, in pieces so the command can print each problem as soon as it is played. All pure. */

/** What the demo says before it touches the budgets. */
export function renderResetNotice({ reset }: { reset: boolean }): string {
  return reset
    ? "Resetting today's budgets (POST /reset) so the run is repeatable; --no-reset plays on the current budgets instead.\n"
    : 'Not resetting the budgets (--no-reset): the problems play on what this period has already spent.\n';
}

export function renderIntro(start: Pick<DemoReport, 'gatewayUrl' | 'mode' | 'reset'>): string {
  const mode =
    start.mode === 'chain' ? 'payments settled on chain' : start.mode === 'mock' ? 'payments recorded as MOCK' : 'payment mode unknown';
  const reset = start.reset.done ? `Budgets reset: period ${start.reset.periodId ?? '?'} starts now.` : 'Budgets not reset.';
  return `MNEE Nexus demo against ${start.gatewayUrl} (${mode}). ${reset}\n`;
}

const firstLine = (message: string) => {
  const [head = '', ...rest] = message.split('\n');
  return rest.length > 0 ? `${head} (+${rest.length} lines)` : head;
};

function renderCall(call: DemoCall): string[] {
  const what = [call.serviceId, call.variant, call.amount].filter(Boolean).join(' ');
  const lines = [`    ${call.action.padEnd(10)} ${call.reason.padEnd(26)} ${what}`];
  if (call.action !== 'ALLOWED') lines.push(`      why: ${call.message}`);
  const { payment } = call;
  if (payment) {
    lines.push(`      paid ${payment.amount} MNEE, ${payment.status}${payment.txHash ? `, tx ${payment.txHash}` : ''}`);
  } else lines.push('      nothing paid');
  if (call.error) lines.push(`      failed: ${call.error.code}: ${call.error.message}`);
  if (call.served) lines.push(`      served: ${call.served}`);
  return lines;
}

function renderTurn(turn: DemoTurn): string[] {
  const lines = [`  ${turn.agentId} > ${firstLine(turn.message)}`];
  if (turn.error) lines.push(`    the gateway answered ${turn.error.status} ${turn.error.code}: ${turn.error.message}`);
  else if (turn.calls.length === 0) lines.push('    no paid call was made');
  for (const call of turn.calls) lines.push(...renderCall(call));
  return lines;
}

const spendLine = (budget: AgentBudget) => `spent ${budget.spentToday}, remaining ${budget.remaining} of ${budget.dailyBudget}`;

function renderBudgetMoves(before: readonly AgentBudget[], after: readonly AgentBudget[]): string[] {
  return after.map((now) => {
    const then = before.find((budget) => budget.id === now.id);
    const label = `${now.id} (${now.priority})`.padEnd(20);
    return then
      ? `  budget ${label} spent ${then.spentToday} -> ${now.spentToday}, remaining ${then.remaining} -> ${now.remaining} of ${now.dailyBudget}`
      : `  budget ${label} ${spendLine(now)}`;
  });
}

function renderCheck(check: DemoCheck): string {
  return check.ok
    ? `  [ok]     ${check.description}: ${check.seen}`
    : `  [FAILED] ${check.description}\n           expected: ${check.expected}\n           seen:     ${check.seen}`;
}

export function renderProblem(problem: DemoProblem, index: number): string {
  return [
    '',
    `${index + 1}. ${problem.title}`,
    ...problem.turns.flatMap(renderTurn),
    ...renderBudgetMoves(problem.budgets.before, problem.budgets.after),
    ...problem.checks.map(renderCheck),
    '',
  ].join('\n');
}

/** The approval played with the admin key: the waiting call, the approve, and what it paid. */
export function renderApproval(approval: DemoApproval): string {
  const { payment } = approval;
  return [
    '',
    `Approval: ${approval.agentId} needs the admin's yes above ${approval.threshold} MNEE (approvalAbove)`,
    `  ${approval.agentId} > ${approval.serviceId}: ${approval.asked.status} ${approval.asked.action ?? '-'}, approval ${approval.approvalId ?? '-'} ${approval.asked.approvalStatus ?? '-'}`,
    `  admin approves > ${approval.approvedStatus ?? 'not approved'}`,
    payment
      ? `      paid ${payment.amount} MNEE, ${payment.status}${payment.txHash ? `, tx ${payment.txHash}` : ''}`
      : '      nothing paid',
    ...approval.checks.map(renderCheck),
    '',
  ].join('\n');
}

/** The alerts the run fired, oldest first, and the check on them. */
export function renderAlerts(alerts: DemoAlerts): string {
  const shown = alerts.items.map(
    (alert) =>
      `  ${alert.severity.toUpperCase()} ${alert.alertType}${alert.agentId ? ` ${alert.agentId}` : ''}${alert.window ? ` ${alert.window}` : ''}${alert.thresholdPercent === null ? '' : ` ${alert.thresholdPercent}%`}: ${alert.message}`,
  );
  return [
    '',
    'Alerts fired during the run (GET /alerts):',
    ...(shown.length > 0 ? shown : ['  none']),
    ...alerts.checks.map(renderCheck),
    '',
  ].join('\n');
}

const signed = (units: bigint) => (units < 0n ? `-${fromBaseUnits(-units)}` : `+${fromBaseUnits(units)}`);

export function renderSummary(report: DemoReport): string {
  const lines = ['', 'Budgets (spent / remaining of the daily budget)'];
  lines.push(`  ${'agent'.padEnd(12)} ${'priority'.padEnd(9)} ${'before'.padEnd(24)} after`);
  for (const now of report.budgets.after) {
    const then = report.budgets.before.find((budget) => budget.id === now.id);
    const cell = (budget: AgentBudget | undefined) =>
      budget ? `${budget.spentToday} / ${budget.remaining} of ${budget.dailyBudget}` : '-';
    lines.push(`  ${now.id.padEnd(12)} ${now.priority.padEnd(9)} ${cell(then).padEnd(24)} ${cell(now)}`);
  }
  const { balanceBefore, balanceAfter, address } = report.treasury;
  if (balanceBefore !== null && balanceAfter !== null) {
    const moved = toBaseUnits(balanceAfter) - toBaseUnits(balanceBefore);
    lines.push(`Treasury${address ? ` ${address}` : ''} on chain: ${balanceBefore} -> ${balanceAfter} MNEE (${signed(moved)}).`);
  }
  lines.push(`The demo paid ${report.paid} MNEE in all.`);
  if (report.approval && !report.approval.ok) lines.push('The approval did not play as expected.');
  if (report.alerts && !report.alerts.ok) lines.push('The alerts did not fire as expected.');
  const failed = report.problems.filter((problem) => !problem.ok);
  if (failed.length === 0) lines.push(`Result: all ${report.problems.length} problems played as expected.`);
  else {
    const named = failed.map(
      (problem) =>
        `${problem.id} (${problem.checks
          .filter((c) => !c.ok)
          .map((c) => c.id)
          .join(', ')})`,
    );
    lines.push(`Result: ${failed.length} of ${report.problems.length} problems did not play as expected: ${named.join('; ')}.`);
  }
  return `${lines.join('\n')}\n`;
}

/** The whole report, as the command prints it piece by piece. */
export function renderReport(report: DemoReport): string {
  return [
    renderResetNotice({ reset: report.reset.done }),
    renderIntro(report),
    ...report.problems.map((problem, index) => renderProblem(problem, index)),
    report.approval ? renderApproval(report.approval) : '',
    report.alerts ? renderAlerts(report.alerts) : '',
    renderSummary(report),
  ].join('');
}
