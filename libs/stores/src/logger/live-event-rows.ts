import { createHash } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import { StreamEventType } from '@nexus/types';
import { LIVE_EVENT_KINDS, type LiveLogRecord, type StoredLiveEvent } from './log-event-store';
import type { LoggerTables } from './logger-tables';

export type LiveEventRow = Selectable<LoggerTables['live_events']>;
export type NewLiveEventRow = Insertable<LoggerTables['live_events']>;
type NewLogEventRow = Insertable<LoggerTables['log_events']>;

const ms = (date: Date) => BigInt(date.getTime());

/** Objects with their keys sorted, at every depth: the same document always hashes the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

export function toLiveRow(record: LiveLogRecord, now: Date, sender: string): NewLiveEventRow {
  const body = JSON.stringify(canonical(record.document));
  return {
    event_id: record.id,
    type: record.kind,
    kind: record.kind,
    occurred_at: ms(record.occurredAt),
    recorded_at: ms(now),
    agent_id: record.agentId,
    service_id: record.serviceId,
    subtype: record.subtype,
    body,
    content_hash: createHash('sha256').update(body).digest('hex'),
    sender,
  };
}

/** The stream's entry for a decision or a payment's end, which log_events holds in full. */
export function auditLiveRow(row: NewLogEventRow): NewLiveEventRow {
  return {
    event_id: row.id,
    type: row.kind === 'decision' ? 'decision' : row.status === 'REFUNDED' ? 'refund' : 'payment',
    kind: row.kind,
    occurred_at: row.occurred_at,
    recorded_at: row.recorded_at,
    agent_id: row.agent_id,
    service_id: row.service_id,
    subtype: row.kind === 'decision' ? (row.action ?? null) : (row.status ?? null),
    body: null,
    content_hash: row.content_hash,
    sender: row.sender,
  };
}

export function streamTypeOf(row: Pick<LiveEventRow, 'type'>): StreamEventType {
  const type = StreamEventType.options.find((option) => option === row.type);
  if (type === undefined) throw new Error(`unknown stream event type in the event log: ${row.type}`);
  return type;
}

export function toStoredLiveEvent(row: LiveEventRow): StoredLiveEvent {
  const kind = LIVE_EVENT_KINDS.find((option) => option === row.kind);
  if (kind === undefined || row.body === null) throw new Error(`event ${row.event_id} is not a live-operations event`);
  return {
    kind,
    id: row.event_id,
    occurredAt: new Date(Number(row.occurred_at)),
    recordedAt: new Date(Number(row.recorded_at)),
    sender: row.sender,
    agentId: row.agent_id,
    serviceId: row.service_id,
    subtype: row.subtype ?? '',
    document: JSON.parse(row.body) as Record<string, unknown>,
  };
}
