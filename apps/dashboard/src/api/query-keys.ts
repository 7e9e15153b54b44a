import type { StreamEventType } from '@nexus/types';

/**
 * The first part of every query key, one per resource of the API. A live event marks the
 * resources it changes as stale (`STALE_ON_EVENT`), so every screen shows the API's answer
 * of now without polling.
 */
export const QueryKey = {
  health: 'health',
  treasury: 'treasury',
  services: 'services',
  stats: 'stats',
  history: 'history',
  agents: 'agents',
  transactions: 'transactions',
  policyLogs: 'policy-logs',
  approvals: 'approvals',
  alerts: 'alerts',
  webhooks: 'webhooks',
  deliveries: 'deliveries',
} as const;
export type QueryKey = (typeof QueryKey)[keyof typeof QueryKey];

const money: QueryKey[] = [QueryKey.treasury, QueryKey.agents, QueryKey.stats, QueryKey.history, QueryKey.transactions];

export const STALE_ON_EVENT: Record<StreamEventType, readonly QueryKey[]> = {
  decision: [...money, QueryKey.policyLogs],
  payment: money,
  refund: money,
  approval: [QueryKey.approvals, QueryKey.agents, QueryKey.treasury],
  agent: [QueryKey.agents, QueryKey.treasury],
  alert: [QueryKey.alerts],
};
