/**
 * A durable FIFO of messages for one or more destinations (topics). A sender
 * enqueues a message in its own store and returns; a relay delivers the
 * oldest messages of a topic in order, removes them once delivered, backs off
 * after a failure and sets aside (dead) a message its destination refuses.
 * `@nexus/clients`' OutboxQueue is the part of this a relay uses.
 */

/** A message to enqueue: the sender's id for it (unique within its topic) and its serialised body. */
export interface NewOutboxMessage {
  id: string;
  payload: string;
}

export interface OutboxMessage {
  /** delivery order within the topic: older messages have smaller numbers */
  seq: number;
  topic: string;
  id: string;
  payload: string;
  /** failed delivery attempts so far */
  attempts: number;
  lastError: string | null;
  /** not to be sent before this time */
  nextAttemptAt: Date;
  createdAt: Date;
}

export interface DeadOutboxMessage extends OutboxMessage {
  /** why it was given up on */
  reason: string;
  deadAt: Date;
}

export interface OutboxCounts {
  /** waiting to be delivered */
  pending: number;
  /** given up on, kept for inspection */
  dead: number;
}

export interface OutboxStore {
  /**
   * Appends messages in the order given, in one transaction: all of them or
   * none. A message whose id the topic already holds (pending or dead) is left
   * as it is. `added` counts the new ones. With `notBefore`, they are not
   * due before then (a topic whose messages all wait alike keeps its order).
   */
  enqueue(topic: string, messages: readonly NewOutboxMessage[], now: Date, notBefore?: Date): Promise<{ added: number }>;
  /**
   * The oldest pending messages of a topic (at most `limit`), oldest first,
   * up to the first one not yet due at `now`: a message never overtakes an
   * older one that is waiting out a backoff.
   */
  due(topic: string, limit: number, now: Date): Promise<OutboxMessage[]>;
  /** When the oldest pending message of a topic may be sent; null when none is pending. */
  nextAttemptAt(topic: string): Promise<Date | null>;
  /** Removes delivered messages; returns how many were there. */
  remove(topic: string, seqs: readonly number[]): Promise<number>;
  /** Counts a failed attempt for each of these pending messages and puts them off until `nextAttemptAt`. */
  recordFailure(topic: string, seqs: readonly number[], failure: { error: string; nextAttemptAt: Date }): Promise<void>;
  /** Pending → dead: kept, never delivered, counted. */
  deadLetter(topic: string, seqs: readonly number[], reason: string, now: Date): Promise<void>;
  /** The dead messages of a topic, oldest first. */
  listDead(topic: string, limit: number): Promise<DeadOutboxMessage[]>;
  counts(topic: string): Promise<OutboxCounts>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
