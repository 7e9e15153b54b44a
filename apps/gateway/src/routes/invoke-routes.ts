import { parseInput } from '@nexus/service-kit';
import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER, InvokeAnswer, InvokeHeaders, InvokeToolBody, PendingApprovalAnswer, ServiceIdParams } from '@nexus/types';
import { actingKnownAgent } from './acting-agent';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, type AnyRoute } from '../http/route-spec';
import { providerInputSchema } from '../services/provider-inputs';

export function invokeRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/tools/:serviceId/invoke',
      tag: 'tools',
      access: 'key',
      summary:
        'A paid call without an LLM: decide → precheck (free) → pay → call the provider → commit (an x402 service: its 402 price → decide → sign → call → settle)',
      description:
        'Send `Idempotency-Key` to make retries safe: a retry with the same key gets the first answer back (with `Idempotent-Replayed: true`) and moves no money. ' +
        'A rejected call answers 200 with `payment` and `result` null. A call that fails after the policy allowed it answers with the error, the decision, ' +
        'the payment (if one was made) and the refund.',
      params: ServiceIdParams,
      body: InvokeToolBody,
      headers: InvokeHeaders,
      responses: {
        200: { description: 'served, or rejected by the policy', schema: InvokeAnswer },
        202: {
          description:
            "above the agent's approval threshold (PENDING_APPROVAL): the amount is held and the call waits for `POST /approvals/:id/approve`",
          schema: PendingApprovalAnswer,
        },
      },
      errors: {
        400: 'invalid input, or an input the provider refuses for the granted variant (its free precheck, before any payment: the hold is released; body: InvokeFailureBody)',
        404: 'unknown service or agent, or something the provider does not know (its precheck, before any payment)',
        409: 'a request with this Idempotency-Key is still running',
        422: 'the Idempotency-Key was used for a different request',
        502: 'the payment or the provider failed (body: InvokeFailureBody)',
        503: 'a service is down, or the provider could not precheck the input (body: InvokeFailureBody once a decision was made; nothing paid)',
        504: 'the provider or the chain did not answer in time',
      },
      handle: async ({ params, body, headers, caller, requestId }) => {
        const agentId = actingKnownAgent(deps, caller, body.agentId);
        const service = deps.services.get(params.serviceId);
        const schema = service.kind === 'x402' ? service.inputSchema : providerInputSchema(params.serviceId);
        // Known providers' and x402 services' input is checked before anything is held or paid; others check it themselves (and the payment is refunded).
        if (schema) parseInput(z.object({ input: schema }), { input: body.input }, 'body');
        const answer = await deps.invoke.invoke({
          agentId,
          serviceId: params.serviceId,
          ...(body.variant ? { variant: body.variant } : {}),
          input: body.input,
          ...(headers[IDEMPOTENCY_KEY_HEADER] ? { idempotencyKey: headers[IDEMPOTENCY_KEY_HEADER] } : {}),
          ...(requestId ? { requestId } : {}),
        });
        return { status: answer.status, body: answer.body, headers: { 'Idempotent-Replayed': String(answer.replayed) } };
      },
    }),
  ];
}
