import { z } from 'zod';
import { Page, Timestamp } from './ids';
import { StreamEventType } from './live-events';

/**
 * Signed webhooks (docs/api.md, "Webhooks"): an operator subscribes a URL to
 * some stream event types; each matching event is POSTed to it, signed the
 * Standard Webhooks way, from a durable queue with retries.
 */

export const WebhookId = z.string().regex(/^wh_[A-Za-z0-9_-]{8,64}$/, 'must be a webhook id such as "wh_..."');
export type WebhookId = z.infer<typeof WebhookId>;

export const WebhookIdParams = z.strictObject({ id: WebhookId });
export type WebhookIdParams = z.infer<typeof WebhookIdParams>;

const Description = z
  .string()
  .max(200)
  .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');

/** `POST /webhooks`. Only http(s) URLs; the service also refuses private targets (see docs/security.md). */
export const WebhookCreate = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2_000),
  events: z
    .array(StreamEventType)
    .min(1)
    .max(StreamEventType.options.length)
    .refine((events) => new Set(events).size === events.length, 'must not repeat an event type'),
  description: Description.optional(),
});
export type WebhookCreate = z.infer<typeof WebhookCreate>;

/** A subscription as listed: never its secret. */
export const Webhook = z.object({
  id: WebhookId,
  url: z.string(),
  events: z.array(StreamEventType),
  description: z.string().nullable(),
  createdAt: Timestamp,
});
export type Webhook = z.infer<typeof Webhook>;

/** The answer to `POST /webhooks`: the one time the signing secret (`whsec_<base64>`) is shown. */
export const WebhookCreated = Webhook.extend({ secret: z.string().startsWith('whsec_') });
export type WebhookCreated = z.infer<typeof WebhookCreated>;

export const WebhookList = z.object({ items: z.array(Webhook) });
export type WebhookList = z.infer<typeof WebhookList>;

/**
 * PENDING: not tried yet; FAILED: the last attempt failed and another follows
 * at `nextAttemptAt`; DELIVERED: a 2xx came back; DEAD: given up after the
 * retry window, or its webhook was deleted.
 */
export const WebhookDeliveryStatus = z.enum(['PENDING', 'FAILED', 'DELIVERED', 'DEAD']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

/** The event types a delivery carries: the stream's, and `test` from `POST /webhooks/:id/test`. */
export const WebhookEventType = z.enum([...StreamEventType.options, 'test']);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** One message to one webhook and how its attempts went. `id` is the `webhook-id` header (the same on every retry). */
export const WebhookDelivery = z.object({
  id: z.string(),
  webhookId: WebhookId,
  eventType: WebhookEventType,
  /** the stream sequence number of the event (a decimal string); null for a test message */
  eventSeq: z.string().nullable(),
  status: WebhookDeliveryStatus,
  attempts: z.number().int(),
  /** the HTTP status of the last attempt; null when it got no answer */
  lastStatus: z.number().int().nullable(),
  /** how long the last attempt took */
  latencyMs: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  nextAttemptAt: Timestamp.nullable(),
  deliveredAt: Timestamp.nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryList = Page(WebhookDelivery);
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;

/** `GET /webhooks/:id/deliveries`: newest first, in cursor pages. */
export const WebhookDeliveryQuery = z.strictObject({
  status: WebhookDeliveryStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type WebhookDeliveryQuery = z.infer<typeof WebhookDeliveryQuery>;
