import type { Agent, LoggedEvent, PolicyLogEntry, PublicAgent } from '@nexus/types';

/** An agent as the public API shows it. */
export function publicAgent(agent: Agent): PublicAgent {
  return {
    id: agent.id,
    name: agent.name,
    priority: agent.priority,
    dailyBudget: agent.dailyBudget,
    weeklyBudget: agent.weeklyBudget,
    monthlyBudget: agent.monthlyBudget,
    maxPerCall: agent.maxPerCall,
    spentToday: agent.spentToday,
    reserved: agent.reserved,
    remaining: agent.remaining,
    paused: agent.paused,
    allowedServices: agent.allowedServices,
    windows: agent.windows,
    approvalAbove: agent.approvalAbove,
    approvalAboveByService: agent.approvalAboveByService,
  };
}

/** A logged decision as a policy log entry; undefined for any other event. */
export function policyLogEntry(event: LoggedEvent): PolicyLogEntry | undefined {
  if (event.kind !== 'decision') return undefined;
  return {
    id: event.decisionId,
    action: event.action,
    reason: event.reason,
    message: event.message,
    variant: event.variant,
    amount: event.amount,
    agentId: event.agentId,
    serviceId: event.serviceId,
    reservationId: event.reservationId,
    createdAt: event.occurredAt,
  };
}
