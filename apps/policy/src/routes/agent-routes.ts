import type { Router } from 'express';
import { acceptCallers, parseInput } from '@nexus/service-kit';
import { AgentIdParams, BudgetUpdate, type AgentList } from '@nexus/types';
import type { PolicyService } from '../policy-service';

export function agentRoutes(router: Router, policy: PolicyService): void {
  router.get('/agents', acceptCallers('gateway', 'operator'), async (_req, res) => {
    const list: AgentList = { items: await policy.listAgents(), nextCursor: null };
    res.json(list);
  });

  router.get('/agents/:id', acceptCallers('gateway', 'operator'), async (req, res) => {
    const { id } = parseInput(AgentIdParams, req.params, 'params');
    res.json(await policy.getAgent(id));
  });

  router.put('/agents/:id/budget', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(AgentIdParams, req.params, 'params');
    res.json(await policy.updateBudget(id, parseInput(BudgetUpdate, req.body, 'body')));
  });

  router.post('/agents/:id/pause', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(AgentIdParams, req.params, 'params');
    res.json(await policy.setPaused(id, { paused: true }));
  });

  router.post('/agents/:id/resume', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(AgentIdParams, req.params, 'params');
    res.json(await policy.setPaused(id, { paused: false }));
  });
}
