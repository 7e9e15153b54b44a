import { randomBytes } from 'node:crypto';
import { newId, notFound, validationError } from '@nexus/service-kit';
import { InvalidCursorError, type DeliveryRecord, type WebhookRecord, type WebhookStore } from '@nexus/stores';
import type {
  Webhook,
  WebhookCreate,
  WebhookCreated,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookEventType,
  WebhookList,
} from '@nexus/types';
import { checkTarget, TargetRefused } from './target-guard';
import type { LiveEventSource } from './webhook-dispatcher';
import { webhookBody, type TestEvent } from './webhook-payload';
import type { WebhookSender } from './webhook-sender';

export interface WebhooksDeps {
  store: WebhookStore;
  source: Pick<LiveEventSource, 'lastSeq'>;
  sender: Pick<WebhookSender, 'sendNow'>;
  allowPrivateTargets: boolean;
  clock?: () => Date;
}

const webhookView = (webhook: WebhookRecord): Webhook => ({
  id: webhook.id,
  url: webhook.url,
  events: webhook.events,
  description: webhook.description,
  createdAt: webhook.createdAt.toISOString(),
});

const deliveryView = (delivery: DeliveryRecord): WebhookDelivery => ({
  id: delivery.id,
  webhookId: delivery.webhookId,
  eventType: delivery.eventType as WebhookEventType,
  eventSeq: delivery.eventSeq === null ? null : String(delivery.eventSeq),
  status: delivery.status,
  attempts: delivery.attempts,
  lastStatus: delivery.lastStatus,
  latencyMs: delivery.latencyMs,
  lastError: delivery.lastError,
  createdAt: delivery.createdAt.toISOString(),
  nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
  deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
});

/** The webhook use cases of the logger: subscribe (with the SSRF guard), list, delete, read deliveries, send a test. */
export class Webhooks {
  private readonly now: () => Date;

  constructor(private readonly deps: WebhooksDeps) {
    this.now = deps.clock ?? (() => new Date());
  }

  /** Makes a webhook for the events from now on; the answer is the one place its secret is shown. */
  async create(body: WebhookCreate): Promise<WebhookCreated> {
    try {
      await checkTarget(body.url, { allowPrivate: this.deps.allowPrivateTargets });
    } catch (error: unknown) {
      if (error instanceof TargetRefused)
        throw validationError('invalid request body', [{ path: 'body.url', message: `refused: ${error.message}` }], { cause: error });
      throw error;
    }
    const webhook: WebhookRecord = {
      id: newId('wh'),
      url: body.url,
      events: body.events,
      description: body.description ?? null,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      afterSeq: await this.deps.source.lastSeq(),
      createdAt: this.now(),
      deletedAt: null,
    };
    await this.deps.store.createWebhook(webhook);
    return { ...webhookView(webhook), secret: webhook.secret };
  }

  async list(): Promise<WebhookList> {
    return { items: (await this.deps.store.listWebhooks()).map(webhookView) };
  }

  /** Deletes it: its waiting deliveries end and no new ones are made. */
  async remove(id: string): Promise<void> {
    if (!(await this.deps.store.deleteWebhook(id, this.now()))) throw notFound('NOT_FOUND', `no webhook ${id}`);
  }

  async deliveries(id: string, query: WebhookDeliveryQuery): Promise<WebhookDeliveryList> {
    if (!(await this.deps.store.getWebhook(id))) throw notFound('NOT_FOUND', `no webhook ${id}`);
    try {
      const page = await this.deps.store.listDeliveries({ webhookId: id, ...query });
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    } catch (error: unknown) {
      if (error instanceof InvalidCursorError)
        throw validationError('invalid request query', [{ path: 'query.cursor', message: error.message }], { cause: error });
      throw error;
    }
  }

  /** Sends a `test` message now, through the same signed path and retries as any event; its delivery after the first attempt. */
  async test(id: string): Promise<WebhookDelivery> {
    const webhook = await this.deps.store.getWebhook(id);
    if (!webhook || webhook.deletedAt) throw notFound('NOT_FOUND', `no webhook ${id}`);
    const now = this.now();
    const messageId = newId('msg');
    const data: TestEvent = {
      type: 'test',
      at: now.toISOString(),
      eventId: messageId,
      event: { message: 'a test message from MNEE Nexus' },
    };
    await this.deps.store.addDelivery({
      id: messageId,
      webhookId: id,
      eventSeq: null,
      eventType: 'test',
      payload: webhookBody('test', now, data),
      createdAt: now,
    });
    const delivery = await this.deps.sender.sendNow(messageId);
    if (!delivery) throw new Error(`delivery ${messageId} vanished`);
    return deliveryView(delivery);
  }
}
