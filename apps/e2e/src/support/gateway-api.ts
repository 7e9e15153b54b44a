import { randomUUID } from 'node:crypto';
import {
  ChatResponse,
  GatewayResetResponse,
  GatewayStats,
  IDEMPOTENCY_KEY_HEADER,
  InvokeAnswer,
  InvokeFailureBody,
  PolicyLogList,
  PublicAgent,
  ServiceView,
  TransactionList,
  TreasuryOverview,
  type PolicyLogEntry,
  type PublicPayment,
} from '@nexus/types';
import type { z } from 'zod';

export interface Answer {
  status: number;
  body: unknown;
}

/** One invoke: the answer of a served or rejected call, or the failure body of one that failed after the decision. */
export type InvokeOutcome = { status: number; ok: true; answer: InvokeAnswer } | { status: number; ok: false; failure: InvokeFailureBody };

/**
 * The gateway's public HTTP API as a user's script calls it: bearer keys from
 * the env file `npm start` wrote, JSON bodies, every answer checked against
 * the public contract's zod schema.
 */
export class GatewayApi {
  private readonly agentKeys: Map<string, string>;

  constructor(
    readonly baseUrl: string,
    private readonly adminKey: string,
    agentKeys: string,
  ) {
    this.agentKeys = new Map(
      agentKeys.split(',').map((pair) => {
        const [agent = '', key = ''] = pair.split(':');
        return [agent.trim(), key.trim()];
      }),
    );
  }

  static fromEnvFile(baseUrl: string, fileEnv: Record<string, string>): GatewayApi {
    return new GatewayApi(baseUrl, fileEnv['ADMIN_API_KEY'] ?? '', fileEnv['AGENT_API_KEYS'] ?? '');
  }

  private keyOf(as: string): string {
    const key = as === 'admin' ? this.adminKey : this.agentKeys.get(as);
    if (!key) throw new Error(`no key for ${as} in the env file`);
    return key;
  }

  async request(as: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.keyOf(as)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  private async ok<T extends z.ZodType>(schema: T, as: string, method: string, path: string, body?: unknown): Promise<z.infer<T>> {
    const answer = await this.request(as, method, path, body);
    if (answer.status !== 200) throw new Error(`${method} ${path} as ${as}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return schema.parse(answer.body);
  }

  chat(agentId: string, message: string): Promise<ChatResponse> {
    return this.ok(ChatResponse, agentId, 'POST', '/chat', { message });
  }

  async invoke(agentId: string, serviceId: string, input: Record<string, unknown>, variant?: string): Promise<InvokeOutcome> {
    const answer = await this.request(
      agentId,
      'POST',
      `/tools/${serviceId}/invoke`,
      { input, ...(variant ? { variant } : {}) },
      { [IDEMPOTENCY_KEY_HEADER]: `e2e-${randomUUID()}` },
    );
    if (answer.status === 200) return { status: 200, ok: true, answer: InvokeAnswer.parse(answer.body) };
    return { status: answer.status, ok: false, failure: InvokeFailureBody.parse(answer.body) };
  }

  agent(id: string): Promise<PublicAgent> {
    return this.ok(PublicAgent, 'admin', 'GET', `/agents/${id}`);
  }

  treasury(): Promise<TreasuryOverview> {
    return this.ok(TreasuryOverview, 'admin', 'GET', '/treasury');
  }

  service(id: string): Promise<ServiceView> {
    return this.ok(ServiceView, 'admin', 'GET', `/services/${id}`);
  }

  stats(): Promise<GatewayStats> {
    return this.ok(GatewayStats, 'admin', 'GET', '/stats');
  }

  /** POST /reset: a new budget period starts now. */
  reset(): Promise<GatewayResetResponse> {
    return this.ok(GatewayResetResponse, 'admin', 'POST', '/reset');
  }

  setBudget(agentId: string, budget: { dailyBudget?: string; maxPerCall?: string }): Promise<PublicAgent> {
    return this.ok(PublicAgent, 'admin', 'PUT', `/agents/${agentId}/budget`, budget);
  }

  /** Every payment, all pages, newest first. */
  async transactions(query: Record<string, string> = {}): Promise<PublicPayment[]> {
    return this.allPages(TransactionList, '/transactions', query);
  }

  /** Every logged decision, all pages. */
  async policyLogs(query: Record<string, string> = {}): Promise<PolicyLogEntry[]> {
    return this.allPages(PolicyLogList, '/policy/logs', query);
  }

  private async allPages<T>(
    schema: z.ZodType<{ items: T[]; nextCursor: string | null }>,
    path: string,
    query: Record<string, string>,
  ): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ ...query, limit: '200', ...(cursor ? { cursor } : {}) });
      const page: { items: T[]; nextCursor: string | null } = await this.ok(schema, 'admin', 'GET', `${path}?${params}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }
}
