import type { StreamEventType } from '@nexus/types';

/** Signed webhooks, as the logger keeps them: subscriptions, their deliveries, and how far the dispatcher has read. */

export interface WebhookRecord {
  /** wh_... */
  id: string;
  url: string;
  events: StreamEventType[];
  description: string | null;
  /** whsec_<base64>: kept as is, since every attempt is signed with it */
  secret: string;
  /** the live log's last seq when the webhook was made: it gets only the events after it */
  afterSeq: bigint;
  createdAt: Date;
  deletedAt: Date | null;
}

export const DELIVERY_STATUSES = ['PENDING', 'FAILED', 'DELIVERED', 'DEAD'] as const;
/** PENDING: not tried yet; FAILED: the last attempt failed, another follows; DELIVERED: a 2xx came back; DEAD: given up (or its webhook deleted). */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface NewDelivery {
  /** msg_...: the webhook-id header, the same on every attempt (a repeat is ignored) */
  id: string;
  webhookId: string;
  /** null for a test message */
  eventSeq: bigint | null;
  eventType: string;
  /** the exact body every attempt sends */
  payload: string;
  createdAt: Date;
}

export interface DeliveryRecord extends NewDelivery {
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  latencyMs: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

/** A delivery taken for an attempt, with what the attempt needs of its webhook. */
export interface DueDelivery extends DeliveryRecord {
  url: string;
  secret: string;
}

export interface AttemptRecord {
  at: Date;
  /** the answer's status; null when none came */
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
  /** DELIVERED on a 2xx; else FAILED (tried again at `nextAttemptAt`) or DEAD */
  status: Exclude<DeliveryStatus, 'PENDING'>;
  nextAttemptAt: Date | null;
}

export interface DeliveryFilter {
  webhookId: string;
  status?: DeliveryStatus;
  limit: number;
  /** from a previous page's `nextCursor` */
  cursor?: string;
}

export interface WebhookStore {
  createWebhook(webhook: WebhookRecord): Promise<void>;
  /** deleted ones included (they keep their deliveries' history) */
  getWebhook(id: string): Promise<WebhookRecord | undefined>;
  /** the live ones, oldest first */
  listWebhooks(): Promise<WebhookRecord[]>;
  /** Marks it deleted and ends its waiting deliveries (DEAD); false when there was no live webhook by that id. */
  deleteWebhook(id: string, now: Date): Promise<boolean>;
  /** how far the dispatcher has read the live log; null before its first start */
  dispatchCursor(): Promise<bigint | null>;
  /** Sets the cursor once (the first start); a cursor already there stays. */
  startDispatchCursor(seq: bigint): Promise<void>;
  /**
   * In one transaction: moves the cursor from `from` to `to` and adds the
   * deliveries. False (nothing written) when the cursor was no longer at
   * `from`: another replica enqueued that stretch first.
   */
  enqueue(deliveries: readonly NewDelivery[], cursor: { from: bigint; to: bigint }): Promise<boolean>;
  /** Adds one delivery outside the dispatch (a test message). */
  addDelivery(delivery: NewDelivery): Promise<void>;
  /**
   * Takes up to `limit` deliveries due at `now` whose webhook is live, oldest
   * first, each for `leaseMs` (no other sender takes it meanwhile).
   * `onlyId` takes that one delivery if it is waiting, due or not.
   */
  claimDue(now: Date, leaseMs: number, limit: number, onlyId?: string): Promise<DueDelivery[]>;
  recordAttempt(id: string, attempt: AttemptRecord): Promise<void>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** Newest first; `nextCursor` is null on the last page. Throws InvalidCursorError. */
  listDeliveries(filter: DeliveryFilter): Promise<{ items: DeliveryRecord[]; nextCursor: string | null }>;
}
