import { TreasuryOverview } from '@nexus/types';
import { agentFilter } from '../access/caller';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, keyHolder, type AnyRoute } from '../http/route-spec';

export function treasuryRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/treasury',
      tag: 'treasury',
      access: 'key',
      summary:
        'The treasury: address, token, on-chain balance, mode, the ledger, this period’s standing against the daily limit, and each agent’s budget and spend',
      description:
        'An agent key sees its own agent only in `agents`. `limit` is the policy’s treasury-wide daily limit: committed spend, live holds, what is left, and the part kept for HIGH agents with what of it is unused. `explorerTxUrl` is a block explorer’s transaction page with `{hash}` where the hash goes (`EXPLORER_TX_URL`), null when unset.',
      responses: { 200: { description: 'the treasury', schema: TreasuryOverview } },
      handle: async ({ caller, requestId }) => {
        const only = agentFilter(keyHolder(caller), undefined);
        await deps.queuedCommits?.();
        const [treasury, agents, limit] = await Promise.all([
          deps.payments.treasury({ requestId }),
          deps.policy.listAgents({ requestId }),
          deps.policy.treasury({ requestId }),
        ]);
        const body: TreasuryOverview = {
          mode: treasury.mode,
          address: treasury.address,
          chainId: treasury.chainId,
          router: treasury.router,
          token: treasury.token,
          balance: treasury.balance,
          ledger: treasury.ledger,
          limit,
          explorerTxUrl: deps.explorerTxUrl,
          agents: agents.items
            .filter((agent) => only === undefined || agent.id === only)
            .map((agent) => ({
              id: agent.id,
              priority: agent.priority,
              dailyBudget: agent.dailyBudget,
              spent: agent.spentToday,
              reserved: agent.reserved,
              remaining: agent.remaining,
              paused: agent.paused,
            })),
        };
        return { body };
      },
    }),
  ];
}
