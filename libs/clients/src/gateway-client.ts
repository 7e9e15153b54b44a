import type { z } from 'zod';
import {
  AlertList,
  Approval,
  ChatResponse,
  ErrorBody,
  GatewayHealth,
  GatewayResetResponse,
  GatewayStats,
  IDEMPOTENCY_KEY_HEADER,
  InvokeAnswer,
  InvokeFailureBody,
  NexusError,
  KeyHolder,
  PolicyLogList,
  PublicAgent,
  ServiceView,
  ServiceViewList,
  TransactionList,
  TreasuryOverview,
  type BudgetUpdate,
  type InvokeToolBody,
  type ModelChoice,
} from '@nexus/types';

/** The gateway did not answer at all (not listening, or too slow). */
export class GatewayUnreachableError extends NexusError {
  override readonly name = 'GatewayUnreachableError';
}

/** The gateway answered with an error status, or with a body that is not its contract. */
export class GatewayAnswerError extends NexusError {
  override readonly name = 'GatewayAnswerError';
  /** what was asked, e.g. "POST /v1/invoke" */
  readonly request: string;
  readonly status: number;
  readonly code: string;

  constructor(options: { request: string; status: number; code: string; message: string }) {
    super(`${options.request} answered ${options.status} ${options.code}: ${options.message}`);
    this.request = options.request;
    this.status = options.status;
    this.code = options.code;
  }
}

export interface ListQuery {
  agentId?: string;
  serviceId?: string;
  status?: string;
  action?: string;
  alertType?: string;
  /** ISO time, inclusive */
  from?: string;
  limit?: number;
  cursor?: string;
}

/** One paid call: the answer of a served or rejected call (200), or the failure body of one that failed after the decision. */
export type InvokeOutcome = { status: number; ok: true; answer: InvokeAnswer } | { status: number; ok: false; failure: InvokeFailureBody };

const READ_TIMEOUT_MS = 15_000;
/** A chat turn or a paid call pays on chain, call by call. */
const PAID_TIMEOUT_MS = 120_000;

/**
 * The gateway's public HTTP API (docs/architecture.md §6) for scripts and tools: the key
 * of each call given with it, every answer parsed with its contract. Throws
 * GatewayUnreachableError when nothing answers, GatewayAnswerError for an
 * error status or an answer that is not the contract.
 */
export class GatewayClient {
  constructor(readonly baseUrl: string) {}

  /** GET /: public health, with the payment mode. */
  health(): Promise<GatewayHealth> {
    return this.#call('GET', '/', null, null, GatewayHealth, READ_TIMEOUT_MS);
  }

  agent(key: string, id: string): Promise<PublicAgent> {
    return this.#call('GET', `/agents/${encodeURIComponent(id)}`, key, null, PublicAgent, READ_TIMEOUT_MS);
  }

  services(key: string): Promise<z.infer<typeof ServiceViewList>> {
    return this.#call('GET', '/services', key, null, ServiceViewList, READ_TIMEOUT_MS);
  }

  service(key: string, id: string): Promise<ServiceView> {
    return this.#call('GET', `/services/${encodeURIComponent(id)}`, key, null, ServiceView, READ_TIMEOUT_MS);
  }

  stats(key: string): Promise<GatewayStats> {
    return this.#call('GET', '/stats', key, null, GatewayStats, READ_TIMEOUT_MS);
  }

  /** PUT /agents/:id/budget (admin). */
  setBudget(
    adminKey: string,
    id: string,
    budget: { dailyBudget?: string; maxPerCall?: string; approvalAbove?: string | null },
  ): Promise<PublicAgent> {
    return this.#call('PUT', `/agents/${encodeURIComponent(id)}/budget`, adminKey, budget, PublicAgent, READ_TIMEOUT_MS);
  }

  /** GET /whoami: who holds the key, the admin or one agent. */
  whoami(key: string): Promise<KeyHolder> {
    return this.#call('GET', '/whoami', key, null, KeyHolder, READ_TIMEOUT_MS);
  }

  treasury(key: string): Promise<TreasuryOverview> {
    return this.#call('GET', '/treasury', key, null, TreasuryOverview, READ_TIMEOUT_MS);
  }

  /** POST /reset (admin): a new budget period now. */
  reset(adminKey: string): Promise<GatewayResetResponse> {
    return this.#call('POST', '/reset', adminKey, null, GatewayResetResponse, READ_TIMEOUT_MS);
  }

  /** POST /chat as the key's own agent; the gateway's default model unless `model` says which. */
  chat(key: string, message: string, model?: ModelChoice): Promise<ChatResponse> {
    return this.#call('POST', '/chat', key, { message, ...(model ? { model } : {}) }, ChatResponse, PAID_TIMEOUT_MS);
  }

  /**
   * POST /tools/:serviceId/invoke with an Idempotency-Key. A call the gateway
   * answers with its failure body (the decision and what became of the
   * payment) is an outcome, not an error.
   */
  async invoke(key: string, serviceId: string, body: InvokeToolBody, idempotencyKey: string): Promise<InvokeOutcome> {
    const path = `/tools/${encodeURIComponent(serviceId)}/invoke`;
    const { status, json } = await this.#send('POST', path, key, body, PAID_TIMEOUT_MS, { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey });
    // 202: the call waits for an operator's approval (`answer.approval`); it is an answer like a rejection, not a failure.
    if (status === 200 || status === 202) return { status, ok: true, answer: this.#parse(`POST ${path}`, status, json, InvokeAnswer) };
    const failure = InvokeFailureBody.safeParse(json);
    if (failure.success) return { status, ok: false, failure: failure.data };
    throw answerError(`POST ${path}`, status, json);
  }

  /** POST /approvals/:id/approve (admin): the call runs now; the approval comes back COMPLETED or FAILED with the call's answer. */
  approve(adminKey: string, id: string, reason?: string): Promise<Approval> {
    const path = `/approvals/${encodeURIComponent(id)}/approve`;
    return this.#call('POST', path, adminKey, reason ? { reason } : {}, Approval, PAID_TIMEOUT_MS);
  }

  /** PUT /agents/:id/budget (admin): budgets, per-call maximum and approval thresholds; the agent as it is now. */
  updateBudget(adminKey: string, id: string, update: BudgetUpdate): Promise<PublicAgent> {
    return this.#call('PUT', `/agents/${encodeURIComponent(id)}/budget`, adminKey, update, PublicAgent, READ_TIMEOUT_MS);
  }

  /** GET /alerts: newest first (an agent key sees its own agent's only). */
  alerts(key: string, query: ListQuery): Promise<AlertList> {
    return this.#call('GET', `/alerts${queryString(query)}`, key, null, AlertList, READ_TIMEOUT_MS);
  }

  decisions(key: string, query: ListQuery): Promise<z.infer<typeof PolicyLogList>> {
    return this.#call('GET', `/policy/logs${queryString(query)}`, key, null, PolicyLogList, READ_TIMEOUT_MS);
  }

  transactions(key: string, query: ListQuery): Promise<z.infer<typeof TransactionList>> {
    return this.#call('GET', `/transactions${queryString(query)}`, key, null, TransactionList, READ_TIMEOUT_MS);
  }

  async #call<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    key: string | null,
    body: unknown,
    schema: z.ZodType<T>,
    timeoutMs: number,
  ): Promise<T> {
    const request = `${method} ${path.split('?')[0]}`;
    const { status, json, ok } = await this.#send(method, path, key, body, timeoutMs);
    if (!ok) throw answerError(request, status, json);
    return this.#parse(request, status, json, schema);
  }

  async #send(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    key: string | null,
    body: unknown,
    timeoutMs: number,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ status: number; ok: boolean; json: unknown }> {
    const request = `${method} ${path.split('?')[0]}`;
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (key) headers['authorization'] = `Bearer ${key}`;
    if (body !== null) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === null ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, ok: res.ok, json: parseJson(text) ?? (text.slice(0, 200) || res.statusText) };
    } catch (error) {
      const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : causeOf(error);
      throw new GatewayUnreachableError(`the gateway at ${this.baseUrl} does not answer ${request}: ${why}`, { cause: error });
    }
  }

  #parse<T>(request: string, status: number, json: unknown, schema: z.ZodType<T>): T {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(body)'}: ${first.message}` : 'not the expected shape';
      throw new GatewayAnswerError({
        request,
        status,
        code: 'UNEXPECTED_ANSWER',
        message: `the answer is not the gateway's contract (${where})`,
      });
    }
    return parsed.data;
  }
}

/** An error status: the gateway's error body when it sent one, else what it sent. */
function answerError(request: string, status: number, json: unknown): GatewayAnswerError {
  const problem = ErrorBody.safeParse(json);
  if (problem.success)
    return new GatewayAnswerError({ request, status, code: problem.data.error.code, message: problem.data.error.message });
  return new GatewayAnswerError({
    request,
    status,
    code: 'UNEXPECTED_ANSWER',
    message: typeof json === 'string' ? json : JSON.stringify(json).slice(0, 200),
  });
}

function queryString(query: ListQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED...) in `cause`. */
function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
