import type { LogEventStore, NewDelivery, WebhookStore } from '@nexus/stores';
import { streamEventView } from '../views';
import { eventMessageId, webhookBody } from './webhook-payload';

/** What the dispatcher reads: the logger's live log, in `seq` order. */
export type LiveEventSource = Pick<LogEventStore, 'streamAfter' | 'lastSeq'>;

export interface WebhookDispatcherDeps {
  store: WebhookStore;
  source: LiveEventSource;
  clock?: () => Date;
}

/**
 * Tails the live log by `seq` and turns each event into one delivery per
 * live webhook that subscribed to its type (and was made before it). The
 * deliveries and the cursor's move are one transaction, so after a crash or
 * on another replica nothing is lost and nothing is enqueued twice.
 */
export class WebhookDispatcher {
  private readonly now: () => Date;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    this.now = deps.clock ?? (() => new Date());
  }

  /** Enqueues the next batch of events; how many events it read (0: caught up, or another replica took the batch). */
  async dispatch(limit = 200): Promise<number> {
    const { store, source } = this.deps;
    let cursor = await store.dispatchCursor();
    if (cursor === null) {
      // The first start: webhooks get what happens from now on, not the log's history.
      await store.startDispatchCursor(await source.lastSeq());
      cursor = (await store.dispatchCursor()) ?? 0n;
    }
    const records = await source.streamAfter(cursor, {}, limit);
    const last = records.at(-1);
    if (!last) return 0;
    const webhooks = await store.listWebhooks();
    const now = this.now();
    const deliveries: NewDelivery[] = records.flatMap((record) => {
      const matching = webhooks.filter((webhook) => webhook.events.includes(record.type) && webhook.afterSeq < record.seq);
      if (matching.length === 0) return [];
      const payload = webhookBody(record.type, record.occurredAt, streamEventView(record));
      return matching.map((webhook) => ({
        id: eventMessageId(webhook.id, record.seq),
        webhookId: webhook.id,
        eventSeq: record.seq,
        eventType: record.type,
        payload,
        createdAt: now,
      }));
    });
    const moved = await store.enqueue(deliveries, { from: cursor, to: last.seq });
    return moved ? records.length : 0;
  }
}
