import type { Router } from 'express';
import type { PolicyService } from '../policy-service';

export function periodRoutes(router: Router, policy: PolicyService): void {
  router.get('/period', async (_req, res) => {
    res.json(await policy.currentPeriod());
  });

  /** Resets every agent's budget by starting a new period now. */
  router.post('/period/reset', async (_req, res) => {
    res.json(await policy.reset());
  });
}
