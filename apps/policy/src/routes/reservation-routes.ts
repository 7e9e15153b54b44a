import type { Router } from 'express';
import { acceptCallers, parseInput } from '@nexus/service-kit';
import { CommitBatchRequest, CommitRequest, EntityIdParams, ReleaseRequest, ReservationListQuery } from '@nexus/types';
import type { PolicyService } from '../policy-service';

export function reservationRoutes(router: Router, policy: PolicyService): void {
  /** Holds, newest first, status as stored; `agentId`, `status`, `periodId`, `decisionId`, `limit`, `cursor`. */
  router.get('/reservations', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await policy.listReservations(parseInput(ReservationListQuery, req.query, 'query')));
  });

  router.get('/reservations/:id', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(EntityIdParams, req.params, 'params');
    res.json(await policy.getReservation(id));
  });

  router.post('/reservations/:id/commit', acceptCallers('gateway', 'payment'), async (req, res) => {
    const { id } = parseInput(EntityIdParams, req.params, 'params');
    const { amount } = parseInput(CommitRequest, req.body, 'body');
    res.json(await policy.commit(id, amount));
  });

  /** The gateway's commit queue: several holds become spend in one request, each answered in its place. */
  router.post('/reservations/commits', acceptCallers('gateway'), async (req, res) => {
    const { commits } = parseInput(CommitBatchRequest, req.body, 'body');
    res.json(await policy.commitMany(commits));
  });

  /** The payment service: this hold's payment may still land, keep it held until it says how it ended. */
  router.post('/reservations/:id/pin', acceptCallers('payment'), async (req, res) => {
    const { id } = parseInput(EntityIdParams, req.params, 'params');
    res.json(await policy.pin(id));
  });

  router.post('/reservations/:id/release', acceptCallers('gateway', 'payment'), async (req, res) => {
    const { id } = parseInput(EntityIdParams, req.params, 'params');
    const { reason } = parseInput(ReleaseRequest, req.body, 'body');
    res.json(await policy.release(id, reason));
  });
}
