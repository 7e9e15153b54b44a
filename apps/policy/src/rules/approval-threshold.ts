import type { Verdict } from '@nexus/stores';
import { fromBaseUnits } from '@nexus/types';
import type { EffectiveAgent } from './evaluate';

/**
 * The agent's approval threshold for one service: the admin's (set through
 * `PUT /agents/:id/budget`, which replaces the configured ones), else the
 * service's own from agents.yaml, else the agent's. Null: no approval needed.
 */
export function approvalThreshold(agent: EffectiveAgent, serviceId: string): bigint | null {
  if (agent.approvalOverride !== undefined) return agent.approvalOverride;
  return agent.approvalAboveByService.get(serviceId) ?? agent.approvalAbove;
}

/**
 * After the rules (docs/architecture.md §4): a granted call whose amount is
 * above the threshold is held, like any granted call, but waits for an
 * operator (PENDING_APPROVAL) instead of being granted; its hold lives as
 * long as the approval may wait.
 */
export function applyApprovalThreshold(
  verdict: Verdict,
  agent: EffectiveAgent | undefined,
  serviceId: string,
  approvalTtlMs: number,
): Verdict {
  if (!agent || (verdict.action !== 'ALLOWED' && verdict.action !== 'DOWNGRADED') || verdict.amount === null) return verdict;
  const threshold = approvalThreshold(agent, serviceId);
  if (threshold === null || verdict.amount <= threshold) return verdict;
  return {
    ...verdict,
    action: 'PENDING_APPROVAL',
    reason: 'APPROVAL_REQUIRED',
    message: `${fromBaseUnits(verdict.amount)} MNEE is above ${agent.id}'s approval threshold of ${fromBaseUnits(threshold)} MNEE; the amount is held until an operator approves or denies the call`,
    holdTtlMs: approvalTtlMs,
  };
}
