import { validationError } from '@nexus/service-kit';
import {
  GatewayStats,
  HistoryQuery,
  historyWindow,
  SpendHistory,
  PolicyLogList,
  PolicyLogsQuery,
  StatsQueryParams,
  TransactionList,
  TransactionsQuery,
  type PolicyLogEntry,
} from '@nexus/types';
import { agentFilter } from '../access/caller';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, keyHolder, type AnyRoute } from '../http/route-spec';
import { publicPayment } from '../pipeline/public-views';
import { policyLogEntry } from './views';
import { defined } from './defined-fields';

export function historyRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/transactions',
      tag: 'history',
      access: 'key',
      summary: 'Payments, newest first; filters agentId, serviceId, status; `nextCursor` pages',
      description: 'An agent key sees its own payments only.',
      query: TransactionsQuery,
      responses: { 200: { description: 'a page of payments', schema: TransactionList } },
      handle: async ({ query, caller, requestId }) => {
        const agentId = agentFilter(keyHolder(caller), query.agentId);
        const page = await deps.payments.list(defined({ ...query, agentId }), { requestId });
        return { body: { items: page.items.map(publicPayment), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/policy/logs',
      tag: 'history',
      access: 'key',
      summary: 'Policy decisions, newest first; filters agentId, serviceId, action; `nextCursor` pages',
      description: 'Read from the audit trail (the logger). An agent key sees its own decisions only.',
      query: PolicyLogsQuery,
      responses: { 200: { description: 'a page of decisions', schema: PolicyLogList } },
      handle: async ({ query, caller, requestId }) => {
        const agentId = agentFilter(keyHolder(caller), query.agentId);
        const page = await deps.logs.query(defined({ ...query, agentId, kind: 'decision' as const }), { requestId });
        const items = page.items.map(policyLogEntry).filter((entry): entry is PolicyLogEntry => entry !== undefined);
        return { body: { items, nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/stats',
      tag: 'history',
      access: 'key',
      summary: 'Totals, the actions breakdown, spend per agent and revenue per service',
      description: 'From the audit trail; spend and revenue are SUCCESS + MOCK less REFUNDED. An agent key sees its own figures only.',
      query: StatsQueryParams,
      responses: { 200: { description: 'the figures', schema: GatewayStats } },
      handle: async ({ query, caller, requestId }) => {
        const agentId = agentFilter(keyHolder(caller), query.agentId);
        const stats = await deps.logs.stats(defined({ ...query, agentId }), { requestId });
        const body: GatewayStats = stats;
        return { body };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/stats/history',
      tag: 'history',
      access: 'key',
      summary: 'Spend, calls and refunds per UTC hour or day, by agent and by service; filters agentId, serviceId, from, to',
      description:
        'From the audit trail, computed in SQL. `bucket` is `hour` (at most 31 days) or `day` (at most 400 days, the default); ' +
        '`to` defaults to now and `from` to a day of hours or 30 days before it. Buckets with no event are left out. ' +
        '`calls` counts decisions (rejected ones too), `payments` SUCCESS and MOCK, `spent` is SUCCESS + MOCK less REFUNDED. ' +
        'An agent key sees its own figures only.',
      query: HistoryQuery,
      responses: { 200: { description: 'the buckets, oldest first', schema: SpendHistory } },
      handle: async ({ query, caller, requestId }) => {
        const agentId = agentFilter(keyHolder(caller), query.agentId);
        // The window is settled here, on the gateway's clock, so a bad one is our 400 and the logger gets it whole.
        const window = historyWindow(query, new Date());
        if (!window.ok) throw validationError('invalid request query', [{ path: window.path, message: window.message }]);
        const history = await deps.logs.history(
          defined({ ...query, agentId, from: window.from.toISOString(), to: window.to.toISOString() }),
          { requestId },
        );
        const body: SpendHistory = history;
        return { body };
      },
    }),
  ];
}
