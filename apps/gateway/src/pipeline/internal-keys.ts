import { createHash } from 'node:crypto';

/**
 * The idempotency key the policy and payment services see for one paid call:
 * the caller's key, scoped to the agent (two agents may both use "1") and
 * hashed to a fixed, printable length.
 */
export function internalKey(agentId: string, callerKey: string): string {
  return `gw-${createHash('sha256').update(agentId).update('\n').update(callerKey).digest('hex')}`;
}
