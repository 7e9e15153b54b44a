import { decodeKeysetCursor, encodeKeysetCursor } from '../keyset-cursor';
import { createHash } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import { DecisionAction, ReasonCode, TransactionStatus } from '@nexus/types';
import type { LogEventRecord, StoredLogEvent } from './log-event-store';
import type { LoggerTables } from './logger-tables';

export type LogEventRow = Selectable<LoggerTables['log_events']>;
type NewLogEventRow = Insertable<LoggerTables['log_events']>;

export const ms = (date: Date) => BigInt(date.getTime());
const toDate = (value: bigint) => new Date(Number(value));

/** Everything an event says, in a fixed order: what "the same content" means for a repeated id. */
function contentHash(row: Omit<NewLogEventRow, 'recorded_at' | 'content_hash' | 'sender'>): string {
  const fields = [
    row.id,
    row.kind,
    String(row.occurred_at),
    row.agent_id,
    row.service_id,
    row.action,
    row.status,
    row.reason,
    row.message,
    row.variant,
    row.amount === null || row.amount === undefined ? null : String(row.amount),
    row.decision_id,
    row.reservation_id,
    row.payment_id,
    row.tx_hash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export function toRow(event: LogEventRecord, now: Date, sender: string): NewLogEventRow {
  const common = {
    id: event.id,
    kind: event.kind,
    occurred_at: ms(event.occurredAt),
    agent_id: event.agentId,
    service_id: event.serviceId,
  };
  const content =
    event.kind === 'decision'
      ? {
          ...common,
          action: event.action,
          status: null,
          reason: event.reason,
          message: event.message,
          variant: event.variant,
          amount: event.amount,
          decision_id: event.decisionId,
          reservation_id: event.reservationId,
          payment_id: null,
          tx_hash: null,
        }
      : {
          ...common,
          action: null,
          status: event.status,
          reason: event.reason,
          message: event.message,
          variant: null,
          amount: event.amount,
          decision_id: event.decisionId,
          reservation_id: null,
          payment_id: event.paymentId,
          tx_hash: event.txHash?.toLowerCase() ?? null,
        };
  return { ...content, recorded_at: ms(now), content_hash: contentHash(content), sender };
}

function oneOf<T extends string>(options: readonly T[], value: string | null, what: string): T {
  const found = options.find((option) => option === value);
  if (found === undefined) throw new Error(`unknown ${what} in the event log: ${String(value)}`);
  return found;
}

function required<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`${what} missing in the event log`);
  return value;
}

export function toStoredEvent(row: LogEventRow): StoredLogEvent {
  const common = {
    id: row.id,
    occurredAt: toDate(row.occurred_at),
    recordedAt: toDate(row.recorded_at),
    sender: row.sender,
    agentId: row.agent_id,
    serviceId: row.service_id,
  };
  if (row.kind === 'decision') {
    return {
      ...common,
      kind: 'decision',
      action: oneOf(DecisionAction.options, row.action, 'decision action'),
      reason: oneOf(ReasonCode.options, row.reason, 'reason code'),
      message: row.message ?? '',
      variant: row.variant,
      amount: row.amount,
      decisionId: required(row.decision_id, 'decision id'),
      reservationId: row.reservation_id,
    };
  }
  return {
    ...common,
    kind: 'transaction',
    status: oneOf(TransactionStatus.options, row.status, 'transaction status'),
    amount: required(row.amount, 'transaction amount'),
    paymentId: row.payment_id,
    decisionId: row.decision_id,
    txHash: row.tx_hash,
    reason: row.reason,
    message: row.message,
  };
}

/** Newest-first pages: the cursor is the (occurred_at, id) of the last item handed out. */
export const encodeCursor = (event: Pick<StoredLogEvent, 'occurredAt' | 'id'>): string => encodeKeysetCursor(event.occurredAt, event.id);

export function decodeCursor(cursor: string): { occurredAt: bigint; id: string } {
  const { at, id } = decodeKeysetCursor(cursor, /[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}/);
  return { occurredAt: at, id };
}
