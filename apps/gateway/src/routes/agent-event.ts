import { newId } from '@nexus/service-kit';
import type { AgentChange, AgentEvent } from '@nexus/types';

const MESSAGES: Record<AgentChange, string> = {
  paused: 'an operator paused the agent: its paid calls are rejected',
  resumed: 'an operator resumed the agent',
  budget_changed: "an operator changed the agent's budget",
};

/**
 * An operator's change to an agent, for the audit trail and the streams. Its
 * id is new each time (`agent:<agentId>:<change>:<id>`): pausing twice is two
 * changes. `budget` keeps the money fields given (a string, or null where cleared).
 */
export function agentEvent(agentId: string, change: AgentChange, update?: Record<string, unknown>): AgentEvent {
  const budget =
    update === undefined
      ? null
      : Object.fromEntries(
          Object.entries(update).filter((entry): entry is [string, string | null] => typeof entry[1] === 'string' || entry[1] === null),
        );
  return {
    id: `agent:${agentId}:${change}:${newId('chg')}`,
    kind: 'agent',
    occurredAt: new Date().toISOString(),
    agentId,
    change,
    budget,
    message: MESSAGES[change],
  };
}
