import type { Selectable } from 'kysely';
import type { DeadOutboxMessage, OutboxMessage } from './outbox-store';
import type { OutboxTables } from './outbox-tables';

export type OutboxRow = Selectable<OutboxTables['outbox_messages']>;

export const ms = (date: Date) => BigInt(date.getTime());
const toDate = (value: bigint) => new Date(Number(value));

/** Errors are kept for a person to read, not whole answers. */
export const MAX_ERROR_LENGTH = 1_000;
export const clip = (text: string) => (text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text);

export function toOutboxMessage(row: OutboxRow): OutboxMessage {
  return {
    seq: Number(row.seq),
    topic: row.topic,
    id: row.message_id,
    payload: row.payload,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    nextAttemptAt: toDate(row.next_attempt_at),
    createdAt: toDate(row.created_at),
  };
}

export function toDeadOutboxMessage(row: OutboxRow): DeadOutboxMessage {
  return { ...toOutboxMessage(row), reason: row.last_error ?? '', deadAt: toDate(row.dead_at ?? row.created_at) };
}
