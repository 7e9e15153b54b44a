import type { Router } from 'express';
import { acceptCallers } from '@nexus/service-kit';
import type { PolicyService } from '../policy-service';

export function treasuryRoutes(router: Router, policy: PolicyService): void {
  /** This period's treasury-wide spend and holds against the daily limit, and the HIGH reserve left (read only). */
  router.get('/treasury', acceptCallers('gateway', 'operator'), async (_req, res) => {
    res.json(await policy.treasuryStanding());
  });
}
