import type { Router } from 'express';
import { acceptCallers, parseInput } from '@nexus/service-kit';
import { ApprovalCompleteRequest, ApprovalDecideRequest, ApprovalIdParams, ApprovalListQuery } from '@nexus/types';
import type { PolicyService } from '../policy-service';

/** Approvals of calls above a threshold (docs/api.md, "Approvals"): the gateway answers them for the admin; the operator may read. */
export function approvalRoutes(router: Router, policy: PolicyService): void {
  router.get('/approvals', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await policy.approvals.list(parseInput(ApprovalListQuery, req.query, 'query')));
  });

  router.get('/approvals/:id', acceptCallers('gateway', 'operator'), async (req, res) => {
    const { id } = parseInput(ApprovalIdParams, req.params, 'params');
    res.json(await policy.approvals.get(id));
  });

  /** PENDING → APPROVED: the answer carries the decision with its grant (the hold renewed) and the call's input. */
  router.post('/approvals/:id/approve', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(ApprovalIdParams, req.params, 'params');
    res.json(await policy.approvals.approve(id, parseInput(ApprovalDecideRequest, req.body, 'body')));
  });

  /** PENDING → DENIED: the hold is released. */
  router.post('/approvals/:id/deny', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(ApprovalIdParams, req.params, 'params');
    res.json(await policy.approvals.deny(id, parseInput(ApprovalDecideRequest, req.body, 'body')));
  });

  /** APPROVED → COMPLETED or FAILED, with the approved call's answer. */
  router.post('/approvals/:id/complete', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(ApprovalIdParams, req.params, 'params');
    res.json(await policy.approvals.complete(id, parseInput(ApprovalCompleteRequest, req.body, 'body')));
  });
}
