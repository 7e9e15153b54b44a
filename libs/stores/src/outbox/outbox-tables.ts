import type { Generated } from 'kysely';

/** Table shape of the outbox. Integers are BIGINT (read back as bigint); times are epoch milliseconds. */
export interface OutboxTables {
  outbox_messages: {
    /** Assigned on insert, always increasing (never reused): the delivery order within a topic. */
    seq: Generated<bigint>;
    /** the destination, e.g. `logger` */
    topic: string;
    /** the sender's id of the message; unique within its topic, so a second enqueue of it is a no-op */
    message_id: string;
    /** the message, serialised by the sender */
    payload: string;
    /** `pending` (to deliver) or `dead` (given up on: kept, never delivered) */
    state: string;
    /** failed delivery attempts */
    attempts: bigint;
    /** the last failure, or why the message is dead */
    last_error: string | null;
    /** not to be sent before this time (backoff after a failure) */
    next_attempt_at: bigint;
    created_at: bigint;
    dead_at: bigint | null;
  };
}
