import { GatewayResetResponse, PublicDecision, SimulateBody } from '@nexus/types';
import { actingKnownAgent } from './acting-agent';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, type AnyRoute } from '../http/route-spec';
import { publicDecision } from '../pipeline/public-views';

export function policyRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/policy/simulate',
      tag: 'policy',
      access: 'key',
      summary: 'What the policy would decide for a call, without holding or paying anything',
      body: SimulateBody,
      responses: { 200: { description: 'the decision it would make', schema: PublicDecision } },
      errors: {
        404: 'unknown agent or service',
        409: 'an x402 service, and the payment service runs in mock mode',
        502: 'an x402 service that asks for a payment the treasury cannot make',
      },
      handle: async ({ body, caller, requestId }) => {
        const agentId = actingKnownAgent(deps, caller, body.agentId);
        const service = deps.services.get(body.serviceId);
        // An x402 service is priced by its 402 answer: asked now, for free.
        const price = await deps.x402Quoter.simulationPrice(service);
        const decision = await deps.policy.simulate(
          { agentId, serviceId: body.serviceId, ...(body.variant ? { variant: body.variant } : {}), ...price },
          { requestId },
        );
        return { body: publicDecision(decision) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/reset',
      tag: 'policy',
      access: 'admin',
      summary: "Reset every agent's daily budget (starts a new budget period now)",
      responses: { 200: { description: 'the new period', schema: GatewayResetResponse } },
      handle: async ({ requestId }) => {
        const reset = await deps.policy.reset({ requestId });
        const body: GatewayResetResponse = {
          periodId: reset.period.id,
          startedAt: reset.period.startedAt,
          endsAt: reset.period.endsAt,
          previousPeriodId: reset.previousPeriodId,
        };
        return { body };
      },
    }),
  ];
}
