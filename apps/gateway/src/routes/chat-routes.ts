import { ChatRequest, ChatResponse } from '@nexus/types';
import { actingKnownAgent } from './acting-agent';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, type AnyRoute } from '../http/route-spec';

export function chatRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/chat',
      tag: 'agents',
      access: 'key',
      summary: 'Send a message to an agent; its paid tool calls go through the policy and payment',
      description:
        'A new LangChain agent runs per request with the four paid tools (generate_image, get_price, submit_batch_job, archive_logs). ' +
        'The model is `model`, else the configured default: the built-in planner when no LLM key is set. Each tool call reports its decision, payment and result.',
      body: ChatRequest,
      responses: { 200: { description: 'the reply and every tool call made', schema: ChatResponse } },
      errors: {
        404: 'unknown agent',
        422: 'the model asked for is not configured',
        502: 'the model failed',
        503: 'a service is down',
        504: 'the model timed out',
      },
      handle: async ({ body, caller, requestId }) => {
        const agentId = actingKnownAgent(deps, caller, body.agentId);
        const reply = await deps.chat.chat({
          agentId,
          message: body.message,
          ...(body.model ? { model: body.model } : {}),
          ...(requestId ? { requestId } : {}),
        });
        return { body: reply };
      },
    }),
  ];
}
