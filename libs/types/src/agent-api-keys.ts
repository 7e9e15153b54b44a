import { ResourceId } from './ids';

/** The shortest agent key accepted (`npm start` generates 48 hex digits). */
export const AGENT_KEY_MIN_LENGTH = 16;

export interface AgentApiKeys {
  /** agent id → its key: every well-formed entry */
  keys: Map<string, string>;
  /** what is wrong with the other entries; a key is never quoted */
  problems: string[];
}

/**
 * `AGENT_API_KEYS` (`user-agent:key1,batch-agent:key2`) → agent id → key,
 * listing every malformed entry: not `agent-id:key`, a key that is too short,
 * an agent with two keys, a key used twice or one of `reservedKeys` (the admin key).
 */
export function parseAgentApiKeys(text: string, options: { reservedKeys?: readonly string[] } = {}): AgentApiKeys {
  const keys = new Map<string, string>();
  const problems: string[] = [];
  const seen = new Set<string>(options.reservedKeys);
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const agentId = colon > 0 ? entry.slice(0, colon).trim() : '';
    const key = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!ResourceId.safeParse(agentId).success) problems.push(`entry ${keys.size + problems.length + 1} is not "agent-id:key"`);
    else if (key.length < AGENT_KEY_MIN_LENGTH) problems.push(`the key of ${agentId} must be at least ${AGENT_KEY_MIN_LENGTH} characters`);
    else if (keys.has(agentId)) problems.push(`${agentId} has more than one key`);
    else if (seen.has(key)) problems.push(`the key of ${agentId} is used twice (or is the admin key)`);
    else {
      keys.set(agentId, key);
      seen.add(key);
    }
  }
  return { keys, problems };
}

/** Agent id → key, written as `AGENT_API_KEYS` (`user-agent:key1,batch-agent:key2`), in the order given. */
export function formatAgentApiKeys(keys: Readonly<Record<string, string>>): string {
  return Object.entries(keys)
    .map(([agentId, key]) => `${agentId}:${key}`)
    .join(',');
}
