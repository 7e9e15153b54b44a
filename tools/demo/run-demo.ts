import { fromBaseUnits, toBaseUnits, type PaymentMode } from '@nexus/types';
import { readAlerts } from './alert-step';
import { playApproval } from './approval-step';
import {
  AgentId,
  DEMO_REPORT_VERSION,
  type AgentBudget,
  type DemoAlerts,
  type DemoApproval,
  type DemoProblem,
  type DemoReport,
  type DemoTurn,
} from './demo-report';
import { DemoSetupError, type DemoSettings } from './demo-settings';
import { demoTurn, failedTurn } from './demo-turn';
import { GatewayAnswerError, type GatewayClient } from '@nexus/clients';
import { recordChecks, type LoggedPayment, type Observed, type PriceList } from './problem-checks';
import type { ProblemPlan } from './scenario';

/** How long the audit trail may take to show a call (the gateway's outbox delivers in the background). */
const AUDIT_WAIT_MS = 20_000;
const AUDIT_POLL_MS = 250;
const AUDIT_PAGES = 5;

export interface DemoHooks {
  /** before POST /reset */
  resetting?: () => void;
  /** the gateway answered, the keys work and the budgets are reset (or not) */
  ready?: (start: Pick<DemoReport, 'gatewayUrl' | 'mode' | 'reset'>) => void;
  /** one problem played and checked */
  problem?: (problem: DemoProblem, index: number) => void;
  /** the approval played (with the admin key only) */
  approval?: (approval: DemoApproval) => void;
  /** the alerts the run fired, read back */
  alerts?: (alerts: DemoAlerts) => void;
}

/**
 * Plays `plans` against the gateway through its public API and returns the
 * report. Throws GatewayUnreachableError, or DemoSetupError when a key is
 * refused or a read the demo relies on fails; a chat turn that fails is part
 * of the report instead.
 */
export async function runDemo(
  client: GatewayClient,
  settings: DemoSettings,
  plans: readonly ProblemPlan[],
  hooks: DemoHooks = {},
): Promise<DemoReport> {
  const keyOf = (agentId: AgentId) => settings.agentKeys[agentId];
  const started = new Date();
  const health = await client.health();
  const mode: PaymentMode | null = health.mode;
  await setupRead('the agent keys', () => readBudgets(client, keyOf));

  let reset: DemoReport['reset'] = { done: false, periodId: null };
  if (settings.reset && settings.adminKey) {
    const adminKey = settings.adminKey;
    hooks.resetting?.();
    const period = await setupRead('ADMIN_API_KEY (POST /reset)', () => client.reset(adminKey));
    reset = { done: true, periodId: period.periodId };
  }
  hooks.ready?.({ gatewayUrl: settings.gatewayUrl, mode, reset });

  const userKey = keyOf('user-agent');
  const prices = await setupRead('GET /services', async () => priceList(await client.services(userKey)));
  const treasuryBefore = await setupRead('GET /treasury', () => client.treasury(userKey));
  const budgetsBefore = await setupRead('GET /agents', () => readBudgets(client, keyOf));

  const problems: DemoProblem[] = [];
  for (const plan of plans) {
    const before = await setupRead('GET /agents', () => readBudgets(client, keyOf));
    const turns = await playSteps(client, plan, keyOf);
    const after = await setupRead('GET /agents', () => readBudgets(client, keyOf));
    const trail = await setupRead('the audit trail', () => auditTrail(client, turns, keyOf));
    const observed: Observed = { mode, turns, before: byId(before), after: byId(after), prices, ...trail };
    const checks = [...plan.checks(observed), ...recordChecks(observed)];
    const shown = (budgets: AgentBudget[]) => plan.agents.flatMap((id) => budgets.filter((budget) => budget.id === id));
    const problem: DemoProblem = {
      id: plan.id,
      title: plan.title,
      budgets: { before: shown(before), after: shown(after) },
      turns,
      checks,
      ok: checks.every((c) => c.ok),
    };
    problems.push(problem);
    hooks.problem?.(problem, problems.length - 1);
  }

  let approval: DemoApproval | null = null;
  if (settings.adminKey) {
    const adminKey = settings.adminKey;
    approval = await setupRead('the approval (PUT /agents/user-agent/budget, POST /approvals/:id/approve)', () =>
      playApproval(client, { admin: adminKey, user: userKey }),
    );
    hooks.approval?.(approval);
  }

  const treasuryAfter = await setupRead('GET /treasury', () => client.treasury(userKey));
  const budgetsAfter = await setupRead('GET /agents', () => readBudgets(client, keyOf));
  const alerts = await setupRead('GET /alerts', () => readAlerts(client, keyOf, { since: started, checked: reset.done, budgetsAfter }));
  hooks.alerts?.(alerts);
  const paid = problems
    .flatMap((problem) => problem.turns.flatMap((turn) => turn.calls))
    .flatMap((call) => (call.payment && ['SUCCESS', 'MOCK'].includes(call.payment.status) ? [toBaseUnits(call.payment.amount)] : []))
    .reduce((total, amount) => total + amount, 0n);
  const approvalPaid =
    approval?.payment && ['SUCCESS', 'MOCK'].includes(approval.payment.status) ? toBaseUnits(approval.payment.amount) : 0n;
  return {
    version: DEMO_REPORT_VERSION,
    gatewayUrl: settings.gatewayUrl,
    mode,
    reset,
    treasury: { address: treasuryAfter.address, balanceBefore: treasuryBefore.balance, balanceAfter: treasuryAfter.balance },
    budgets: { before: budgetsBefore, after: budgetsAfter },
    problems,
    approval,
    alerts,
    paid: fromBaseUnits(paid + approvalPaid),
    ok: problems.every((problem) => problem.ok) && (approval?.ok ?? true) && alerts.ok,
  };
}

async function playSteps(client: GatewayClient, plan: ProblemPlan, keyOf: (id: AgentId) => string): Promise<DemoTurn[]> {
  const turns: DemoTurn[] = [];
  for (const step of plan.steps) {
    for (const message of step.messages) {
      const turn = await chatTurn(client, step.agentId, keyOf(step.agentId), message);
      turns.push(turn);
      if (step.untilNotAllowed && turn.calls.some((call) => call.action !== 'ALLOWED')) break;
    }
  }
  return turns;
}

async function chatTurn(client: GatewayClient, agentId: AgentId, key: string, message: string): Promise<DemoTurn> {
  try {
    return demoTurn(agentId, message, await client.chat(key, message, 'planner'));
  } catch (error) {
    if (error instanceof GatewayAnswerError) return failedTurn(agentId, message, error);
    throw error;
  }
}

/** Each agent's budget, read with its own key. */
async function readBudgets(client: GatewayClient, keyOf: (id: AgentId) => string): Promise<AgentBudget[]> {
  return Promise.all(
    AgentId.options.map(async (id) => {
      const { priority, dailyBudget, spentToday, reserved, remaining } = await client.agent(keyOf(id), id);
      return { id, priority, dailyBudget, spentToday, reserved, remaining };
    }),
  );
}

/** The turns' decisions and payments as GET /policy/logs and GET /transactions show them, once all are there (or the wait is over). */
async function auditTrail(
  client: GatewayClient,
  turns: readonly DemoTurn[],
  keyOf: (id: AgentId) => string,
): Promise<Pick<Observed, 'loggedDecisions' | 'loggedPayments'>> {
  const loggedDecisions = new Set<string>();
  const loggedPayments = new Map<string, LoggedPayment>();
  const agents = [...new Set(turns.map((turn) => turn.agentId))];
  const wanted = turns.flatMap((turn) => turn.calls);
  const complete = () =>
    wanted.every((call) => loggedDecisions.has(call.decisionId) && (call.payment === null || loggedPayments.has(call.payment.id)));
  const deadline = Date.now() + AUDIT_WAIT_MS;
  for (;;) {
    for (const agentId of agents) {
      let cursor: string | undefined;
      for (let page = 0; page < AUDIT_PAGES; page += 1) {
        const list = await client.decisions(keyOf(agentId), { agentId, limit: 200, cursor });
        for (const entry of list.items) loggedDecisions.add(entry.id);
        if (!list.nextCursor) break;
        cursor = list.nextCursor;
      }
      cursor = undefined;
      for (let page = 0; page < AUDIT_PAGES; page += 1) {
        const list = await client.transactions(keyOf(agentId), { agentId, limit: 200, cursor });
        for (const payment of list.items) loggedPayments.set(payment.id, { status: payment.status, amount: payment.amount });
        if (!list.nextCursor) break;
        cursor = list.nextCursor;
      }
    }
    if (complete() || Date.now() > deadline) return { loggedDecisions, loggedPayments };
    await new Promise((resolve) => setTimeout(resolve, AUDIT_POLL_MS));
  }
}

function priceList(services: { items: { id: string; variants: { id: string; price: string }[] }[] }): PriceList {
  return Object.fromEntries(
    services.items.map((service) => [service.id, Object.fromEntries(service.variants.map((variant) => [variant.id, variant.price]))]),
  );
}

const byId = (budgets: readonly AgentBudget[]): Record<string, AgentBudget> =>
  Object.fromEntries(budgets.map((budget) => [budget.id, budget]));

/** A read the demo cannot do without: an error answer ends the run (exit 2), naming what failed. */
async function setupRead<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof GatewayAnswerError) {
      const hint = error.status === 401 || error.status === 403 ? ' (is the env file the one the stack was started with?)' : '';
      throw new DemoSetupError(`${what}: ${error.message}${hint}`, { cause: error });
    }
    throw error;
  }
}
