import type { Router } from 'express';
import { acceptCallers } from '@nexus/service-kit';
import type { PolicyService } from '../policy-service';

export function periodRoutes(router: Router, policy: PolicyService): void {
  router.get('/period', acceptCallers('gateway', 'operator'), async (_req, res) => {
    res.json(await policy.currentPeriod());
  });

  /** Resets every agent's budget by starting a new period now. */
  router.post('/period/reset', acceptCallers('gateway'), async (_req, res) => {
    res.json(await policy.reset());
  });
}
