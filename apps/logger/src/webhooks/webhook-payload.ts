import type { StreamEvent } from '@nexus/types';

/** The `data` of a test message (`POST /webhooks/:id/test`): the stream event's shape with the type `test`. */
export type TestEvent = Omit<StreamEvent, 'type'> & { type: 'test' };

/** A webhook's body (Standard Webhooks' recommended envelope): the type, when it happened, and the stream event. */
export function webhookBody(type: string, at: Date, data: StreamEvent | TestEvent): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/** The message id of one event to one webhook: the same wherever and however often it is enqueued, so it is sent once. */
export const eventMessageId = (webhookId: string, seq: bigint) => `msg_${webhookId.slice('wh_'.length)}_${seq}`;
