import { notFound } from '@nexus/service-kit';
import { actingAgent, type Caller } from '../access/caller';
import type { GatewayDeps } from '../gateway-deps';
import { keyHolder } from '../http/route-spec';

/** The agent a call acts as (see `actingAgent`), which must be one of agents.yaml: a 404 otherwise. */
export function actingKnownAgent(deps: Pick<GatewayDeps, 'agents'>, caller: Caller | undefined, requested: string | undefined): string {
  const agentId = actingAgent(keyHolder(caller), requested);
  if (!deps.agents.some((agent) => agent.id === agentId)) throw notFound('AGENT_NOT_FOUND', `no agent ${agentId}`);
  return agentId;
}
