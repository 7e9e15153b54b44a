import type { Router } from 'express';
import { acceptCallers, parseInput } from '@nexus/service-kit';
import { WebhookCreate, WebhookDeliveryQuery, WebhookIdParams } from '@nexus/types';
import type { Webhooks } from '../webhooks/webhooks';

/** Webhook subscriptions and their deliveries: the gateway's admin routes are the only way in. */
export function webhookRoutes(router: Router, webhooks: Webhooks): void {
  router.post('/webhooks', acceptCallers('gateway'), async (req, res) => {
    res.status(201).json(await webhooks.create(parseInput(WebhookCreate, req.body, 'body')));
  });

  router.get('/webhooks', acceptCallers('gateway'), async (_req, res) => {
    res.json(await webhooks.list());
  });

  router.delete('/webhooks/:id', acceptCallers('gateway'), async (req, res) => {
    await webhooks.remove(parseInput(WebhookIdParams, req.params, 'params').id);
    res.status(204).end();
  });

  router.get('/webhooks/:id/deliveries', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(WebhookIdParams, req.params, 'params');
    res.json(await webhooks.deliveries(id, parseInput(WebhookDeliveryQuery, req.query, 'query')));
  });

  router.post('/webhooks/:id/test', acceptCallers('gateway'), async (req, res) => {
    const { id } = parseInput(WebhookIdParams, req.params, 'params');
    res.json(await webhooks.test(id));
  });
}
