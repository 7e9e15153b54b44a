import type { z } from 'zod';
import {
  AlertList,
  Approval,
  ApprovalList,
  GatewayHealth,
  GatewayStats,
  KeyHolder,
  PolicyLogList,
  PublicAgent,
  PublicAgentList,
  ServiceViewList,
  SpendHistory,
  TransactionList,
  TreasuryOverview,
  StreamTicket,
  WebhookCreated,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookList,
  type AlertQuery,
  type ApprovalListQuery,
  type BudgetUpdate,
  type HistoryQuery,
  type PolicyLogsQuery,
  type TransactionsQuery,
  type WebhookCreate,
  type WebhookDeliveryQuery,
} from '@nexus/types';
import { ApiError } from './api-error';

/** A query's values as the API reads them: absent and empty values are left out. */
type QueryValues = Record<string, string | number | undefined>;
/** A list query as the screens give it: every field optional (the API fills in its defaults). */
type ListQuery<T> = Partial<{ [K in keyof T]: T[K] extends string | number | undefined ? T[K] : never }>;

function withQuery(path: string, query: QueryValues | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * The gateway's public API (docs/api.md) as the console uses it, with the key in the Authorization
 * header only — never in a URL. Every answer is read with the schema of @nexus/types, the contract
 * the gateway itself answers with, so the console shows what the API says or says that it cannot.
 */
export class NexusApi {
  constructor(
    private readonly key: string,
    private readonly baseUrl = '',
  ) {}

  /** Sends one request and gives the answer's JSON; a refusal throws the API's error. */
  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await response.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  }

  /** A request whose answer is read with its schema of @nexus/types. */
  private async request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    const parsed = schema.safeParse(await this.call(method, path, body));
    if (!parsed.success) throw new Error(`the gateway's answer to ${method} ${path} does not match its contract: ${parsed.error.message}`);
    return parsed.data;
  }

  whoami = () => this.request('GET', '/whoami', KeyHolder);
  health = () => this.request('GET', '/', GatewayHealth);
  treasury = () => this.request('GET', '/treasury', TreasuryOverview);
  services = () => this.request('GET', '/services', ServiceViewList);
  stats = () => this.request('GET', '/stats', GatewayStats);
  history = (query: ListQuery<HistoryQuery>) => this.request('GET', withQuery('/stats/history', query), SpendHistory);

  agents = () => this.request('GET', '/agents', PublicAgentList);
  agent = (id: string) => this.request('GET', `/agents/${encodeURIComponent(id)}`, PublicAgent);
  pause = (id: string) => this.request('POST', `/agents/${encodeURIComponent(id)}/pause`, PublicAgent);
  resume = (id: string) => this.request('POST', `/agents/${encodeURIComponent(id)}/resume`, PublicAgent);
  updateBudget = (id: string, update: BudgetUpdate) => this.request('PUT', `/agents/${encodeURIComponent(id)}/budget`, PublicAgent, update);

  transactions = (query: ListQuery<TransactionsQuery>) => this.request('GET', withQuery('/transactions', query), TransactionList);
  policyLogs = (query: ListQuery<PolicyLogsQuery>) => this.request('GET', withQuery('/policy/logs', query), PolicyLogList);

  approvals = (query: ListQuery<ApprovalListQuery>) => this.request('GET', withQuery('/approvals', query), ApprovalList);
  approve = (id: string, reason?: string) =>
    this.request('POST', `/approvals/${encodeURIComponent(id)}/approve`, Approval, reason === undefined ? {} : { reason });
  deny = (id: string, reason?: string) =>
    this.request('POST', `/approvals/${encodeURIComponent(id)}/deny`, Approval, reason === undefined ? {} : { reason });

  alerts = (query: ListQuery<AlertQuery>) => this.request('GET', withQuery('/alerts', query), AlertList);

  webhooks = () => this.request('GET', '/webhooks', WebhookList);
  createWebhook = (create: WebhookCreate) => this.request('POST', '/webhooks', WebhookCreated, create);
  deleteWebhook = async (id: string): Promise<void> => {
    await this.call('DELETE', `/webhooks/${encodeURIComponent(id)}`);
  };
  testWebhook = (id: string) => this.request('POST', `/webhooks/${encodeURIComponent(id)}/test`, WebhookDelivery);
  deliveries = (id: string, query: ListQuery<WebhookDeliveryQuery>) =>
    this.request('GET', withQuery(`/webhooks/${encodeURIComponent(id)}/deliveries`, query), WebhookDeliveryList);

  /** A single-use ticket that opens one event stream (EventSource cannot send the key in a header). */
  streamTicket = () => this.request('POST', '/events/tickets', StreamTicket);
}
