import { GatewayStats, PolicyLogList, PublicAgent, TransactionList, type PolicyLogEntry, type PublicPayment } from '@nexus/types';
import type { GatewayUnderTest } from './gateway-under-test';

/**
 * Reads of the gateway's public API as the admin sees them, parsed with the
 * public contract, for tests that check what a call did to budgets, the
 * ledger and the audit trail.
 */
export interface GatewayProbes {
  /** GET /agents/:id */
  agent: (id: string) => Promise<PublicAgent>;
  /** GET /transactions, every page */
  payments: (query?: Record<string, string>) => Promise<PublicPayment[]>;
  /** GET /policy/logs, every page */
  decisions: (query?: Record<string, string>) => Promise<PolicyLogEntry[]>;
  /** GET /stats */
  stats: (query?: Record<string, string>) => Promise<GatewayStats>;
  /** POST /reset: every budget (and the treasury's day) starts again */
  resetBudgets: () => Promise<void>;
}

export function gatewayProbes(gw: GatewayUnderTest): GatewayProbes {
  const admin = gw.auth('admin');
  const read = async (path: string, query: Record<string, string> = {}): Promise<unknown> => {
    const res = await gw.http.get(path).query(query).set(admin);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.body;
  };
  const everyPage = async <T>(
    path: string,
    query: Record<string, string>,
    parse: (body: unknown) => { items: T[]; nextCursor: string | null },
  ) => {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const page = parse(await read(path, { limit: '200', ...query, ...(cursor ? { cursor } : {}) }));
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  return {
    agent: async (id) => PublicAgent.parse(await read(`/agents/${id}`)),
    payments: (query = {}) => everyPage('/transactions', query, (body) => TransactionList.parse(body)),
    decisions: (query = {}) => everyPage('/policy/logs', query, (body) => PolicyLogList.parse(body)),
    stats: async (query = {}) => GatewayStats.parse(await read('/stats', query)),
    resetBudgets: async () => {
      const res = await gw.http.post('/reset').set(admin);
      if (res.status !== 200) throw new Error(`POST /reset answered ${res.status}: ${res.text.slice(0, 300)}`);
    },
  };
}
