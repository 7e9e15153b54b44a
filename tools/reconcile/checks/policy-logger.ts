import { DecisionAction, type Decision } from '@nexus/types';
import { Findings, groupBy, plural, units, type CheckOutcome } from '../findings';
import type { DecisionLogEvent, LoggerSnapshot, PolicySnapshot } from '../snapshots';

const sameMoney = (a: string | null, b: string | null) => (a === null || b === null ? a === b : units(a) === units(b));

/**
 * The policy's decisions against the audit trail: every stored decision is
 * logged once, as decided (action, reason, agent, service, variant, amount,
 * hold); every logged decision exists; the counts per action agree with the
 * events and with GET /stats.
 */
export function checkPolicyLogger(policy: PolicySnapshot, logger: LoggerSnapshot): CheckOutcome {
  const findings = new Findings('policy-logger');
  const decisions = new Map(policy.decisions.map((decision) => [decision.id, decision]));
  const logged = groupBy(logger.decisions, (event) => event.decisionId);

  for (const decision of policy.decisions) {
    const record = { type: 'decision' as const, id: decision.id };
    const events = logged.get(decision.id) ?? [];
    const policySays = describeDecision(decision);
    if (events.length === 0) {
      findings.disagree('DECISION_NOT_LOGGED', record, 'the policy made a decision the logger does not have', {
        policy: policySays,
        logger: 'no event',
      });
      continue;
    }
    if (events.length > 1)
      findings.disagree('LOGGED_TWICE', record, `the logger has ${events.length} events for one decision`, {
        policy: policySays,
        logger: events.map((e) => e.id).join(', '),
      });
    for (const event of events) {
      const differences = differencesOf(decision, event);
      if (differences.length > 0)
        findings.disagree('LOGGED_DECISION_DIFFERS', record, `the logged decision differs in ${differences.join(', ')}`, {
          policy: policySays,
          logger: `${describeEvent(event)} (event ${event.id})`,
        });
    }
  }
  for (const [decisionId, events] of logged) {
    if (decisions.has(decisionId)) continue;
    findings.disagree('LOGGED_DECISION_UNKNOWN', { type: 'decision', id: decisionId }, 'the logger has a decision the policy does not', {
      policy: 'no such decision',
      logger: events.map((e) => `${describeEvent(e)} (event ${e.id})`).join('; '),
    });
  }

  const policyCounts = countByAction(policy.decisions.map((d) => d.action));
  const loggedCounts = countByAction(logger.decisions.map((e) => e.action));
  const statsCounts = {
    ALLOWED: logger.stats.policy.allowed,
    DOWNGRADED: logger.stats.policy.downgraded,
    REJECTED: logger.stats.policy.rejected,
    PENDING_APPROVAL: logger.stats.policy.pendingApproval,
  };
  for (const action of DecisionAction.options) {
    const [mine, events, stats] = [policyCounts[action], loggedCounts[action], statsCounts[action]];
    if (mine !== events || mine !== stats)
      findings.disagree('ACTION_COUNT_DIFFERS', { type: 'total', id: action }, `the number of ${action} decisions differs`, {
        policy: String(mine),
        logger: String(events),
        stats: String(stats),
      });
  }

  const breakdown = (counts: Record<DecisionAction, number>) =>
    DecisionAction.options.map((action) => `${action} ${counts[action]}`).join(', ');
  return {
    summary:
      findings.discrepancies.length === 0
        ? `${plural(policy.decisions.length, 'decision')} (${breakdown(policyCounts)}) in the policy, the events and GET /stats`
        : `policy ${breakdown(policyCounts)}; logger ${breakdown(loggedCounts)}; GET /stats ${breakdown(statsCounts)}`,
    amounts: {},
    counts: { policy: policyCounts, logger: loggedCounts, stats: statsCounts },
    findings,
  };
}

function countByAction(actions: DecisionAction[]): Record<DecisionAction, number> {
  const counts: Record<DecisionAction, number> = { ALLOWED: 0, DOWNGRADED: 0, REJECTED: 0, PENDING_APPROVAL: 0 };
  for (const action of actions) counts[action] += 1;
  return counts;
}

function differencesOf(decision: Decision, event: DecisionLogEvent): string[] {
  const differences: string[] = [];
  if (event.action !== decision.action) differences.push('action');
  if (event.reason !== decision.reason) differences.push('reason');
  if (event.agentId !== decision.agentId || event.serviceId !== decision.serviceId) differences.push('agent or service');
  if (event.variant !== decision.variant) differences.push('variant');
  if (!sameMoney(event.amount, decision.amount)) differences.push('amount');
  if (event.reservationId !== decision.reservationId) differences.push('hold');
  return differences;
}

const describeDecision = (d: Decision) =>
  `${d.action} ${d.reason} ${d.agentId} / ${d.serviceId} ${d.variant ?? '-'} ${d.amount ?? '-'}, hold ${d.reservationId ?? 'none'}`;
const describeEvent = (e: DecisionLogEvent) =>
  `${e.action} ${e.reason} ${e.agentId} / ${e.serviceId} ${e.variant ?? '-'} ${e.amount ?? '-'}, hold ${e.reservationId ?? 'none'}`;
