import { AgentIdParams, BudgetUpdate, PublicAgent, PublicAgentList } from '@nexus/types';
import { agentFilter } from '../access/caller';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, keyHolder, type AnyRoute } from '../http/route-spec';
import { agentEvent } from './agent-event';
import { publicAgent } from './views';

export function agentRoutes(deps: GatewayDeps): AnyRoute[] {
  const one = { 200: { description: 'the agent, its budget and spend this period', schema: PublicAgent } };
  const pauseOrResume = ({ paused }: { paused: boolean }) =>
    defineRoute({
      method: 'post',
      path: `/agents/:id/${paused ? 'pause' : 'resume'}`,
      tag: 'agents',
      access: 'admin',
      summary: paused ? 'Pause an agent: its paid calls are rejected (AGENT_PAUSED)' : 'Resume a paused agent',
      params: AgentIdParams,
      responses: one,
      errors: { 404: 'unknown agent' },
      handle: async ({ params, requestId }) => {
        const agent = await deps.policy.setPaused(params.id, { paused }, { requestId });
        // Told once the policy has made the change; the outbox delivers it to the audit trail (and the streams).
        await deps.audit.record(agentEvent(params.id, paused ? 'paused' : 'resumed'));
        return { body: publicAgent(agent) };
      },
    });
  return [
    defineRoute({
      method: 'get',
      path: '/agents',
      tag: 'agents',
      access: 'key',
      summary: 'Agents with their budgets and spend (an agent key sees its own agent only)',
      responses: { 200: { description: 'the agents', schema: PublicAgentList } },
      handle: async ({ caller, requestId }) => {
        const only = agentFilter(keyHolder(caller), undefined);
        await deps.queuedCommits?.();
        const { items } = await deps.policy.listAgents({ requestId });
        return { body: { items: items.filter((agent) => only === undefined || agent.id === only).map(publicAgent), nextCursor: null } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/agents/:id',
      tag: 'agents',
      access: 'key',
      summary: 'One agent with its budget and spend',
      params: AgentIdParams,
      responses: one,
      errors: { 404: 'unknown agent' },
      handle: async ({ params, caller, requestId }) => {
        const id = agentFilter(keyHolder(caller), params.id) ?? params.id;
        await deps.queuedCommits?.();
        return { body: publicAgent(await deps.policy.getAgent(id, { requestId })) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/agents/:id/budget',
      tag: 'agents',
      access: 'admin',
      summary:
        "Change an agent's budgets (daily, weekly, monthly; null removes a window), per-call maximum and/or approval threshold (`approvalAbove`; null turns approval off)",
      params: AgentIdParams,
      body: BudgetUpdate,
      responses: one,
      errors: { 404: 'unknown agent' },
      handle: async ({ params, body, requestId }) => {
        const agent = await deps.policy.updateBudget(params.id, body, { requestId });
        await deps.audit.record(agentEvent(params.id, 'budget_changed', body));
        return { body: publicAgent(agent) };
      },
    }),
    pauseOrResume({ paused: true }),
    pauseOrResume({ paused: false }),
  ];
}
