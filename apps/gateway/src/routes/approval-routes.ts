import { Approval, ApprovalAnswerBody, ApprovalIdParams, ApprovalList, ApprovalListQuery } from '@nexus/types';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, keyHolder, type AnyRoute } from '../http/route-spec';

/** Human approval above a threshold (docs/api.md, "Approvals"): the admin answers; the agent may read its own. */
export function approvalRoutes(deps: GatewayDeps): AnyRoute[] {
  const one = { 200: { description: 'the approval', schema: Approval } };
  return [
    defineRoute({
      method: 'get',
      path: '/approvals',
      tag: 'approvals',
      access: 'admin',
      summary: 'Calls above an approval threshold, newest first; `status=PENDING` lists what waits',
      query: ApprovalListQuery,
      responses: { 200: { description: 'a page of approvals', schema: ApprovalList } },
      handle: async ({ query, requestId }) => ({ body: await deps.approvals.list(query, { requestId }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/approvals/:id',
      tag: 'approvals',
      access: 'key',
      summary: "One approval; once COMPLETED or FAILED, `outcome` holds the call's invoke answer (an agent key reads its own only)",
      params: ApprovalIdParams,
      responses: one,
      errors: { 403: "another agent's approval", 404: 'unknown approval' },
      handle: async ({ params, caller, requestId }) => ({ body: await deps.approvals.get(params.id, keyHolder(caller), { requestId }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/approvals/:id/approve',
      tag: 'approvals',
      access: 'admin',
      summary: 'Approve a waiting call: it runs now (precheck, pay, provider, commit) and the answer is the approval with its outcome',
      params: ApprovalIdParams,
      body: ApprovalAnswerBody,
      responses: {
        200: { description: 'the approval, COMPLETED (served) or FAILED, with the invoke answer in `outcome`', schema: Approval },
      },
      errors: { 404: 'unknown approval', 409: 'the approval was already answered or has expired (APPROVAL_NOT_PENDING)' },
      handle: async ({ params, body, requestId }) => ({ body: await deps.approvals.approve(params.id, body.reason, { requestId }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/approvals/:id/deny',
      tag: 'approvals',
      access: 'admin',
      summary: 'Deny a waiting call: its hold is released and nothing is charged',
      params: ApprovalIdParams,
      body: ApprovalAnswerBody,
      responses: one,
      errors: { 404: 'unknown approval', 409: 'the approval was already answered or has expired (APPROVAL_NOT_PENDING)' },
      handle: async ({ params, body, requestId }) => ({ body: await deps.approvals.deny(params.id, body.reason, { requestId }) }),
    }),
  ];
}
