import type { Router } from 'express';
import { acceptCallers, parseInput } from '@nexus/service-kit';
import { DecideRequest, DecisionListQuery, EntityIdParams, SimulateRequest } from '@nexus/types';
import type { PolicyService } from '../policy-service';

export function decisionRoutes(router: Router, policy: PolicyService): void {
  /** Decide and hold. 201 for a new decision, 200 for the stored answer to a known idempotency key. */
  router.post('/decisions', acceptCallers('gateway'), async (req, res) => {
    const decision = await policy.decide(parseInput(DecideRequest, req.body, 'body'));
    res.status(decision.replayed ? 200 : 201).json(decision);
  });

  router.post('/decisions/simulate', acceptCallers('gateway'), async (req, res) => {
    res.json(await policy.simulate(parseInput(SimulateRequest, req.body, 'body')));
  });

  /** Stored decisions, newest first; `agentId`, `serviceId`, `action`, `periodId`, `limit`, `cursor`. */
  router.get('/decisions', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await policy.listDecisions(parseInput(DecisionListQuery, req.query, 'query')));
  });

  router.get('/decisions/:id', acceptCallers('gateway', 'operator'), async (req, res) => {
    const { id } = parseInput(EntityIdParams, req.params, 'params');
    res.json(await policy.getDecision(id));
  });
}
