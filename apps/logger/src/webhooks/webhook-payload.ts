import type { StreamEvent, StreamEventType } from '@nexus/types';

/** One event of the live log as the dispatcher reads it (the logger store's StreamRecord). */
export interface LiveRecord {
  seq: bigint;
  type: StreamEventType;
  eventId: string;
  occurredAt: Date;
  agentId: string | null;
  serviceId: string | null;
  /** the logged event as stored (wire shape) */
  event: Record<string, unknown>;
}

/** The stream's shape of a live record: what `GET /events/stream` sends as `data:` too. */
export function streamEvent(record: LiveRecord): StreamEvent {
  return {
    type: record.type,
    at: record.occurredAt.toISOString(),
    ...(record.agentId === null ? {} : { agentId: record.agentId }),
    ...(record.serviceId === null ? {} : { serviceId: record.serviceId }),
    eventId: record.eventId,
    event: record.event,
  };
}

/** The `data` of a test message (`POST /webhooks/:id/test`): the stream event's shape with the type `test`. */
export type TestEvent = Omit<StreamEvent, 'type'> & { type: 'test' };

/** A webhook's body (Standard Webhooks' recommended envelope): the type, when it happened, and the stream event. */
export function webhookBody(type: string, at: Date, data: StreamEvent | TestEvent): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/** The message id of one event to one webhook: the same wherever and however often it is enqueued, so it is sent once. */
export const eventMessageId = (webhookId: string, seq: bigint) => `msg_${webhookId.slice('wh_'.length)}_${seq}`;
