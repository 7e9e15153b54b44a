import type { AgentId, DemoCheck, ProblemId } from './demo-report';
import { budgetPressureChecks, perQueryCostChecks, priorityReserveChecks, type Observed } from './problem-checks';

/** Chat turns of one agent, each a message to POST /chat with its own key. */
export interface DemoStep {
  agentId: AgentId;
  messages: readonly string[];
  /** stop the step after the first turn with a call the policy did not simply allow (the outcome the problem is about) */
  untilNotAllowed: boolean;
}

export interface ProblemPlan {
  id: ProblemId;
  title: string;
  /** the agents whose budgets the problem shows */
  agents: readonly AgentId[];
  steps: readonly DemoStep[];
  checks: (observed: Observed) => DemoCheck[];
}

/**
 * As many jobs as batch-agent's own budget (6.00) pays for at 1.50: the
 * reserve must stop it before its budget does. With the shipped config
 * (treasury 8.00 a day, half kept for HIGH agents) the third is refused.
 */
const BATCH_JOBS = [1_000, 2_000, 3_000, 4_000].map((below) => `run a batch job: count the primes below ${below}`);

/** With ops-agent's 1.00 budget and the 25% pressure line, the third full archive (0.30) is downgraded. */
const ARCHIVE =
  'archive these logs:\nERROR disk full on /var/data\nWARN slow response from payment\nERROR disk full on /var/data\nINFO nightly job started';

/** Five price queries in two messages (the planner makes one paid call per symbol). */
const PRICE_QUESTIONS = [
  { message: 'what is the price of ETH, BTC and SOL?', queries: 3 },
  { message: 'get me the price of BTC in EUR and the price of MNEE', queries: 2 },
];

/** The prototype's three coordination problems (docs/architecture.md §4), in the order they are played. */
export const PROBLEMS: readonly ProblemPlan[] = [
  {
    id: 'priority-reserve',
    title: "Priority reserve: batch-agent (LOW) may not eat the treasury's share kept for user-agent (HIGH)",
    agents: ['batch-agent', 'user-agent'],
    steps: [
      { agentId: 'batch-agent', messages: BATCH_JOBS, untilNotAllowed: true },
      { agentId: 'user-agent', messages: ['draw a lighthouse at dusk, 64x64'], untilNotAllowed: false },
    ],
    checks: priorityReserveChecks,
  },
  {
    id: 'budget-pressure',
    title: "Budget pressure: ops-agent's LOG_ARCHIVE switches to the summary variant as its budget runs low",
    agents: ['ops-agent'],
    steps: [{ agentId: 'ops-agent', messages: [ARCHIVE, ARCHIVE, ARCHIVE, ARCHIVE], untilNotAllowed: true }],
    checks: budgetPressureChecks,
  },
  {
    id: 'per-query-cost',
    title: 'Per-query cost: each PRICE_ORACLE query user-agent asks is paid on its own, and the costs add up exactly',
    agents: ['user-agent'],
    steps: [{ agentId: 'user-agent', messages: PRICE_QUESTIONS.map((question) => question.message), untilNotAllowed: false }],
    checks: (observed) =>
      perQueryCostChecks(
        observed,
        PRICE_QUESTIONS.reduce((total, question) => total + question.queries, 0),
      ),
  },
];
