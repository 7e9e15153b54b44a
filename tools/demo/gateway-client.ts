import type { z } from 'zod';
import {
  ChatResponse,
  ErrorBody,
  GatewayHealth,
  GatewayResetResponse,
  PolicyLogList,
  PublicAgent,
  ServiceViewList,
  TransactionList,
  TreasuryOverview,
} from '@nexus/types';

/** The gateway did not answer at all (not listening, or too slow). */
export class GatewayUnreachableError extends Error {
  override readonly name = 'GatewayUnreachableError';
}

/** The gateway answered with an error status, or with a body that is not its contract. */
export class GatewayAnswerError extends Error {
  override readonly name = 'GatewayAnswerError';
  constructor(
    readonly request: string,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${request} answered ${status} ${code}: ${message}`);
  }
}

export interface ListQuery {
  agentId?: string;
  serviceId?: string;
  limit?: number;
  cursor?: string;
}

const READ_TIMEOUT_MS = 15_000;
/** A chat turn pays on chain, call by call. */
const CHAT_TIMEOUT_MS = 120_000;

/** The gateway's public HTTP API, as much of it as the demo uses; every answer parsed with its contract. */
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

  treasury(key: string): Promise<TreasuryOverview> {
    return this.#call('GET', '/treasury', key, null, TreasuryOverview, READ_TIMEOUT_MS);
  }

  /** POST /reset (admin): a new budget period now. */
  reset(adminKey: string): Promise<GatewayResetResponse> {
    return this.#call('POST', '/reset', adminKey, null, GatewayResetResponse, READ_TIMEOUT_MS);
  }

  /** POST /chat as the key's own agent, with the built-in planner (deterministic, no LLM key). */
  chat(key: string, message: string): Promise<ChatResponse> {
    return this.#call('POST', '/chat', key, { message, model: 'planner' }, ChatResponse, CHAT_TIMEOUT_MS);
  }

  decisions(key: string, query: ListQuery): Promise<z.infer<typeof PolicyLogList>> {
    return this.#call('GET', `/policy/logs${queryString(query)}`, key, null, PolicyLogList, READ_TIMEOUT_MS);
  }

  transactions(key: string, query: ListQuery): Promise<z.infer<typeof TransactionList>> {
    return this.#call('GET', `/transactions${queryString(query)}`, key, null, TransactionList, READ_TIMEOUT_MS);
  }

  async #call<T>(
    method: 'GET' | 'POST',
    path: string,
    key: string | null,
    body: unknown,
    schema: z.ZodType<T>,
    timeoutMs: number,
  ): Promise<T> {
    const request = `${method} ${path.split('?')[0]}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (key) headers['authorization'] = `Bearer ${key}`;
    if (body !== null) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === null ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (error) {
      const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : causeOf(error);
      throw new GatewayUnreachableError(`the gateway at ${this.baseUrl} does not answer ${request}: ${why}`);
    }
    const json = parseJson(text);
    if (!res.ok) {
      const problem = ErrorBody.safeParse(json);
      if (problem.success) throw new GatewayAnswerError(request, res.status, problem.data.error.code, problem.data.error.message);
      throw new GatewayAnswerError(request, res.status, 'UNEXPECTED_ANSWER', text.slice(0, 200) || res.statusText);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(body)'}: ${first.message}` : 'not the expected shape';
      throw new GatewayAnswerError(request, res.status, 'UNEXPECTED_ANSWER', `the answer is not the gateway's contract (${where})`);
    }
    return parsed.data;
  }
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
