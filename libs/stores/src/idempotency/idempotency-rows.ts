import type { Selectable } from 'kysely';
import type { IdempotencyRecord, IdempotencyState } from './idempotency-store';
import type { IdempotencyTables } from './idempotency-tables';

export type IdempotencyRow = Selectable<IdempotencyTables['idempotency_keys']>;

export const ms = (date: Date) => BigInt(date.getTime());
const toDate = (value: bigint) => new Date(Number(value));

function stateOf(value: string): IdempotencyState {
  if (value === 'IN_FLIGHT' || value === 'DONE') return value;
  throw new Error(`unknown idempotency state in the store: ${value}`);
}

export function toIdempotencyRecord(row: IdempotencyRow): IdempotencyRecord {
  const state = stateOf(row.state);
  let answer: IdempotencyRecord['answer'] = null;
  if (state === 'DONE') {
    if (row.status === null || row.body === null) throw new Error(`idempotency key ${row.scope}/${row.key} is DONE without an answer`);
    answer = { status: Number(row.status), body: row.body };
  }
  return {
    scope: row.scope,
    key: row.key,
    fingerprint: row.fingerprint,
    state,
    answer,
    lockedUntil: toDate(row.locked_until),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
