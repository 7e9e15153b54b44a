import { z } from 'zod';
import { DecisionAction, Money, PaymentMode, PaymentStatus, Priority, ReasonCode, ToolName } from '@nexus/types';

/**
 * What `npm run demo -- --json` prints: one JSON document of this shape on
 * stdout. Fields are only ever added; `version` changes if one is renamed or
 * removed. Money is a decimal string of MNEE, as the gateway gives it.
 */
export const DEMO_REPORT_VERSION = 1;

export const AgentId = z.enum(['user-agent', 'batch-agent', 'ops-agent']);
export type AgentId = z.infer<typeof AgentId>;

export const ProblemId = z.enum(['priority-reserve', 'budget-pressure', 'per-query-cost']);
export type ProblemId = z.infer<typeof ProblemId>;

/** An agent's budget as GET /agents/:id gives it. */
export const AgentBudget = z.object({
  id: z.string(),
  priority: Priority,
  dailyBudget: Money,
  spentToday: Money,
  reserved: Money,
  remaining: Money,
});
export type AgentBudget = z.infer<typeof AgentBudget>;

export const DemoPayment = z.object({
  id: z.string(),
  status: PaymentStatus,
  amount: Money,
  /** null in mock mode */
  txHash: z.string().nullable(),
});
export type DemoPayment = z.infer<typeof DemoPayment>;

/** One paid tool call of a chat turn: the policy's decision, the payment, and what the provider served. */
export const DemoCall = z.object({
  tool: ToolName,
  serviceId: z.string(),
  decisionId: z.string(),
  action: DecisionAction,
  reason: ReasonCode,
  /** the policy's explanation */
  message: z.string(),
  /** the variant granted (or refused) and its price */
  variant: z.string().nullable(),
  amount: Money.nullable(),
  /** null when rejected (or when the payment was never made) */
  payment: DemoPayment.nullable(),
  /** one line on what the provider answered; null when nothing was served */
  served: z.string().nullable(),
  /** the variant the provider says it served (LOG_ARCHIVE), else null */
  servedVariant: z.string().nullable(),
  /** set when the call failed after the decision */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type DemoCall = z.infer<typeof DemoCall>;

/** One POST /chat as one agent, with its own key. `error` is set when the gateway answered with an error instead. */
export const DemoTurn = z.object({
  agentId: AgentId,
  message: z.string(),
  calls: z.array(DemoCall),
  error: z.object({ status: z.number().int(), code: z.string(), message: z.string() }).nullable(),
});
export type DemoTurn = z.infer<typeof DemoTurn>;

/** An expected outcome and what was seen. */
export const DemoCheck = z.object({
  /** stable id, e.g. "reserve.rejected" */
  id: z.string(),
  description: z.string(),
  expected: z.string(),
  seen: z.string(),
  ok: z.boolean(),
});
export type DemoCheck = z.infer<typeof DemoCheck>;

export const DemoProblem = z.object({
  id: ProblemId,
  title: z.string(),
  /** the agents this problem plays, before its first call and after its last */
  budgets: z.object({ before: z.array(AgentBudget), after: z.array(AgentBudget) }),
  turns: z.array(DemoTurn),
  checks: z.array(DemoCheck),
  /** every check passed */
  ok: z.boolean(),
});
export type DemoProblem = z.infer<typeof DemoProblem>;

/**
 * Human approval above a threshold, played with the admin key: user-agent is
 * given a threshold below a PRICE_ORACLE query, asks for one (202, held,
 * waiting), the admin approves, and the call runs once. The threshold is
 * cleared again afterwards.
 */
export const DemoApproval = z.object({
  agentId: AgentId,
  serviceId: z.string(),
  /** the approvalAbove the demo set for the run */
  threshold: Money,
  decisionId: z.string().nullable(),
  approvalId: z.string().nullable(),
  /** the invoke's HTTP status (202 while waiting) and the approval's status then */
  asked: z.object({ status: z.number().int(), approvalStatus: z.string().nullable(), action: DecisionAction.nullable() }),
  /** the approval's status after the admin's approve (COMPLETED when the call was served) */
  approvedStatus: z.string().nullable(),
  payment: DemoPayment.nullable(),
  checks: z.array(DemoCheck),
  ok: z.boolean(),
});
export type DemoApproval = z.infer<typeof DemoApproval>;

/** The alerts the run fired (budget thresholds, rejection spikes), read as each agent sees them. */
export const DemoAlerts = z.object({
  items: z.array(
    z.object({
      agentId: z.string().nullable(),
      alertType: z.string(),
      window: z.string().nullable(),
      thresholdPercent: z.number().int().nullable(),
      severity: z.string(),
      message: z.string(),
      occurredAt: z.string(),
    }),
  ),
  /** after a reset: the watched agent's daily alert is there */
  checks: z.array(DemoCheck),
  ok: z.boolean(),
});
export type DemoAlerts = z.infer<typeof DemoAlerts>;

export const DemoReport = z.object({
  version: z.literal(DEMO_REPORT_VERSION),
  gatewayUrl: z.string(),
  /** the payment mode the gateway reports (GET /) */
  mode: PaymentMode.nullable(),
  /** whether the demo started a new budget period (POST /reset), and its id */
  reset: z.object({ done: z.boolean(), periodId: z.number().int().nullable() }),
  /** GET /treasury: the treasury's address and on-chain balance (null in mock mode) before and after */
  treasury: z.object({ address: z.string().nullable(), balanceBefore: Money.nullable(), balanceAfter: Money.nullable() }),
  /** every agent, before the first problem and after the last */
  budgets: z.object({ before: z.array(AgentBudget), after: z.array(AgentBudget) }),
  problems: z.array(DemoProblem),
  /** the approval played with the admin key; null without one */
  approval: DemoApproval.nullable().optional(),
  /** the alerts the run fired */
  alerts: DemoAlerts.optional(),
  /** the sum of the demo's SUCCESS and MOCK payments */
  paid: Money,
  /** every problem's checks (and the approval's and the alerts') passed (the exit code is 0, else 1) */
  ok: z.boolean(),
});
export type DemoReport = z.infer<typeof DemoReport>;
