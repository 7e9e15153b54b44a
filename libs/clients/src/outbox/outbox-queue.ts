/**
 * The durable queue an outbox relay reads from: the part of `@nexus/stores`'
 * OutboxStore (SQLite or PostgreSQL) the relay uses, declared here so this
 * library needs no store. Same meaning, method for method.
 */

/** A message to enqueue: its id (unique within the topic) and its serialised body. */
export interface QueueEntry {
  id: string;
  payload: string;
}

export interface QueuedMessage {
  /** delivery order within the topic: older messages have smaller numbers */
  seq: number;
  id: string;
  payload: string;
  /** failed delivery attempts so far */
  attempts: number;
  /** not to be sent before this time */
  nextAttemptAt: Date;
}

export interface QueueCounts {
  pending: number;
  dead: number;
}

export interface OutboxQueue {
  /** Appends in order, all or none, durably; an id the topic already holds is left as it is. */
  enqueue(topic: string, entries: readonly QueueEntry[], now: Date, notBefore?: Date): Promise<{ added: number }>;
  /** The oldest pending messages (at most `limit`), oldest first, up to the first one not yet due at `now`. */
  due(topic: string, limit: number, now: Date): Promise<QueuedMessage[]>;
  /** When the oldest pending message may be sent; null when none is pending. */
  nextAttemptAt(topic: string): Promise<Date | null>;
  /** Removes delivered messages. */
  remove(topic: string, seqs: readonly number[]): Promise<number>;
  /** Counts a failed attempt for each and puts them off until `nextAttemptAt`. */
  recordFailure(topic: string, seqs: readonly number[], failure: { error: string; nextAttemptAt: Date }): Promise<void>;
  /** Pending → dead: kept, never delivered, counted. */
  deadLetter(topic: string, seqs: readonly number[], reason: string, now: Date): Promise<void>;
  counts(topic: string): Promise<QueueCounts>;
}
