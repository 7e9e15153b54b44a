import type { GatewayClient } from '@nexus/clients';
import { toBaseUnits } from '@nexus/types';
import { AgentId, type AgentBudget, type DemoAlerts, type DemoCheck } from './demo-report';

/** How long the policy's alerts may take to reach the audit trail (its outbox delivers them in the background). */
const ALERT_WAIT_MS = 15_000;
const ALERT_POLL_MS = 250;

/** The agent whose budget the demo surely takes past half (the budget-pressure problem). */
const WATCHED: AgentId = 'ops-agent';

/**
 * The budget alerts the run fired, read as each agent sees them (its own key,
 * GET /alerts). After a reset, the watched agent has spent past half of its
 * daily budget, so a daily budget alert at a threshold it reached must be
 * there; without a reset, earlier runs may have fired it already, so the
 * alerts are only shown.
 */
export async function readAlerts(
  client: GatewayClient,
  keyOf: (id: AgentId) => string,
  options: { since: Date; checked: boolean; budgetsAfter: readonly AgentBudget[] },
): Promise<DemoAlerts> {
  const watched = options.budgetsAfter.find((budget) => budget.id === WATCHED);
  const percent =
    watched && toBaseUnits(watched.dailyBudget) > 0n ? (toBaseUnits(watched.spentToday) * 100n) / toBaseUnits(watched.dailyBudget) : 0n;
  const expected = options.checked && percent >= 50n;
  const deadline = Date.now() + ALERT_WAIT_MS;
  for (;;) {
    const items = await readAll(client, keyOf, options.since);
    const fired = items.some(
      (alert) =>
        alert.agentId === WATCHED &&
        alert.window === 'daily' &&
        alert.thresholdPercent !== null &&
        BigInt(alert.thresholdPercent) <= percent,
    );
    if (!expected || fired || Date.now() > deadline) {
      const checks: DemoCheck[] = expected
        ? [
            {
              id: 'alerts.budget',
              description: `${WATCHED} spent ${percent}% of its daily budget: a daily budget alert says so`,
              expected: 'a daily budget_threshold alert',
              seen: fired ? 'a daily budget_threshold alert' : 'none',
              ok: fired,
            },
          ]
        : [];
      return { items, checks, ok: checks.every((check) => check.ok) };
    }
    await new Promise((resolve) => setTimeout(resolve, ALERT_POLL_MS));
  }
}

async function readAll(client: GatewayClient, keyOf: (id: AgentId) => string, since: Date): Promise<DemoAlerts['items']> {
  const pages = await Promise.all(AgentId.options.map((id) => client.alerts(keyOf(id), { from: since.toISOString(), limit: 100 })));
  return pages
    .flatMap((page) => page.items)
    .map(({ agentId, alertType, window, thresholdPercent, severity, message, occurredAt }) => ({
      agentId,
      alertType,
      window,
      thresholdPercent,
      severity,
      message,
      occurredAt,
    }))
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
}
