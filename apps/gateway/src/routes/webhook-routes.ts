import {
  WebhookCreate,
  WebhookCreated,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookIdParams,
  WebhookList,
} from '@nexus/types';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, type AnyRoute } from '../http/route-spec';
import { defined } from './defined-fields';

/** Signed webhooks (docs/api.md, "Webhooks"): the logger keeps and sends them; these admin routes reach it. */
export function webhookRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/webhooks',
      tag: 'webhooks',
      access: 'admin',
      summary: 'Subscribe a URL to stream events; the answer shows the signing secret, this once',
      description:
        'Each matching event is POSTed as `{type, timestamp, data}` with the Standard Webhooks headers `webhook-id`, ' +
        '`webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the `whsec_` secret), ' +
        'retried with backoff for up to a day. Only http(s) URLs on public addresses are accepted (unless the logger runs with ' +
        '`WEBHOOK_ALLOW_PRIVATE_TARGETS=true`).',
      body: WebhookCreate,
      responses: { 201: { description: 'the webhook, with its secret', schema: WebhookCreated } },
      handle: async ({ body, requestId }) => ({ status: 201, body: await deps.logs.createWebhook(body, { requestId }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks',
      tag: 'webhooks',
      access: 'admin',
      summary: 'The webhooks, oldest first (never their secrets)',
      responses: { 200: { description: 'the webhooks', schema: WebhookList } },
      handle: async ({ requestId }) => ({ body: await deps.logs.listWebhooks({ requestId }) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/webhooks/:id',
      tag: 'webhooks',
      access: 'admin',
      summary: 'Delete a webhook: nothing more is sent to it, and what still waited is dropped',
      params: WebhookIdParams,
      responses: { 204: { description: 'deleted' } },
      errors: { 404: 'no such webhook' },
      handle: async ({ params, requestId }) => {
        await deps.logs.deleteWebhook(params.id, { requestId });
        return { status: 204, body: undefined };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks/:id/deliveries',
      tag: 'webhooks',
      access: 'admin',
      summary: "A webhook's deliveries, newest first: status, attempts, last HTTP status, latency; `nextCursor` pages",
      params: WebhookIdParams,
      query: WebhookDeliveryQuery,
      responses: { 200: { description: 'a page of deliveries', schema: WebhookDeliveryList } },
      errors: { 404: 'no such webhook' },
      handle: async ({ params, query, requestId }) => ({
        body: await deps.logs.webhookDeliveries(params.id, defined(query), { requestId }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/:id/test',
      tag: 'webhooks',
      access: 'admin',
      summary: 'Send a `test` message now, signed like any other; answers its delivery after the first attempt',
      description: 'A test that fails is retried like any delivery.',
      params: WebhookIdParams,
      responses: { 200: { description: 'the delivery', schema: WebhookDelivery } },
      errors: { 404: 'no such webhook' },
      handle: async ({ params, requestId }) => ({ body: await deps.logs.testWebhook(params.id, { requestId }) }),
    }),
  ];
}
