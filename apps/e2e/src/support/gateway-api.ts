import { randomUUID } from 'node:crypto';
import { GatewayClient, type InvokeOutcome, type ListQuery } from '@nexus/clients';
import {
  parseAgentApiKeys,
  type BudgetUpdate,
  type GatewayResetResponse,
  type GatewayStats,
  type PolicyLogEntry,
  type PublicAgent,
  type PublicPayment,
  type ServiceView,
  type TreasuryOverview,
} from '@nexus/types';

/**
 * The gateway's public HTTP API as a user's script calls it: the shared
 * GatewayClient, with the keys of the env file `npm start` wrote (each agent
 * acts with its own key, reads and changes with the admin key).
 */
export class GatewayApi {
  private readonly client: GatewayClient;
  private readonly agentKeys: Map<string, string>;

  constructor(
    readonly baseUrl: string,
    private readonly adminKey: string,
    agentKeys: string,
  ) {
    this.client = new GatewayClient(baseUrl);
    this.agentKeys = parseAgentApiKeys(agentKeys).keys;
  }

  static fromEnvFile(baseUrl: string, fileEnv: Record<string, string>): GatewayApi {
    return new GatewayApi(baseUrl, fileEnv['ADMIN_API_KEY'] ?? '', fileEnv['AGENT_API_KEYS'] ?? '');
  }

  /** the agent's own key, from the env file */
  keyOf(agentId: string): string {
    const key = this.agentKeys.get(agentId);
    if (!key) throw new Error(`no key for ${agentId} in the env file`);
    return key;
  }

  chat(agentId: string, message: string) {
    return this.client.chat(this.keyOf(agentId), message);
  }

  invoke(agentId: string, serviceId: string, input: Record<string, unknown>, variant?: string): Promise<InvokeOutcome> {
    return this.client.invoke(this.keyOf(agentId), serviceId, { input, ...(variant ? { variant } : {}) }, `e2e-${randomUUID()}`);
  }

  agent(id: string): Promise<PublicAgent> {
    return this.client.agent(this.adminKey, id);
  }

  updateBudget(id: string, update: BudgetUpdate): Promise<PublicAgent> {
    return this.client.updateBudget(this.adminKey, id, update);
  }

  /** the admin key (the dashboard's sign-in takes it) */
  get admin(): string {
    return this.adminKey;
  }

  treasury(): Promise<TreasuryOverview> {
    return this.client.treasury(this.adminKey);
  }

  service(id: string): Promise<ServiceView> {
    return this.client.service(this.adminKey, id);
  }

  stats(): Promise<GatewayStats> {
    return this.client.stats(this.adminKey);
  }

  /** POST /reset: a new budget period starts now. */
  reset(): Promise<GatewayResetResponse> {
    return this.client.reset(this.adminKey);
  }

  /** Every payment, all pages, newest first. */
  transactions(query: ListQuery = {}): Promise<PublicPayment[]> {
    return allPages((page) => this.client.transactions(this.adminKey, { ...query, ...page }));
  }

  /** Every logged decision, all pages. */
  policyLogs(query: ListQuery = {}): Promise<PolicyLogEntry[]> {
    return allPages((page) => this.client.decisions(this.adminKey, { ...query, ...page }));
  }
}

async function allPages<T>(read: (page: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>) {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; nextCursor: string | null } = await read({ limit: 200, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
