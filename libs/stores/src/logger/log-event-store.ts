import type { DecisionAction, ReasonCode, StreamEventType, TransactionStatus } from '@nexus/types';

/** The durable event log, as the logger service sees it. Amounts are bigint base units; times are Dates (millisecond precision). */

export const LOG_EVENT_KINDS = ['decision', 'transaction'] as const;
export type LogEventKind = (typeof LOG_EVENT_KINDS)[number];

interface LogEventBase {
  /** the sender's id; stored once */
  id: string;
  occurredAt: Date;
  agentId: string;
  serviceId: string;
}

export interface DecisionLogRecord extends LogEventBase {
  kind: 'decision';
  action: DecisionAction;
  reason: ReasonCode;
  message: string;
  variant: string | null;
  amount: bigint | null;
  decisionId: string;
  reservationId: string | null;
}

export interface TransactionLogRecord extends LogEventBase {
  kind: 'transaction';
  status: TransactionStatus;
  amount: bigint;
  paymentId: string | null;
  decisionId: string | null;
  /** stored lower-case */
  txHash: string | null;
  reason: string | null;
  message: string | null;
}

/** A decision or a payment's end, as sent: the audit trail proper (listed, summed, reconciled). */
export type LogEventRecord = DecisionLogRecord | TransactionLogRecord;

export const LIVE_EVENT_KINDS = ['alert', 'approval', 'agent'] as const;
export type LiveEventKind = (typeof LIVE_EVENT_KINDS)[number];

/**
 * A live-operations event (an alert, an approval's step, an agent changed),
 * kept as the sender's document: it is streamed and listed, never summed.
 */
export interface LiveLogRecord {
  kind: LiveEventKind;
  id: string;
  occurredAt: Date;
  agentId: string | null;
  serviceId: string | null;
  /** what it is within its kind, for filters: the alert type, the approval status, the agent change */
  subtype: string;
  /** the event as sent (validated by the service) */
  document: Record<string, unknown>;
}

/** Anything a sender appends. */
export type AppendRecord = LogEventRecord | LiveLogRecord;

export const isLiveRecord = (record: AppendRecord): record is LiveLogRecord =>
  (LIVE_EVENT_KINDS as readonly string[]).includes(record.kind);

/** A live event as stored. */
export type StoredLiveEvent = LiveLogRecord & { recordedAt: Date; sender: string };

/**
 * One event of the stream, in the order the log stored it: `seq` grows with
 * every stored event and is never reused, and an event is visible to readers
 * only once every event with a smaller `seq` is (appends are serialised).
 */
export interface StreamRecord {
  seq: bigint;
  type: StreamEventType;
  eventId: string;
  occurredAt: Date;
  agentId: string | null;
  serviceId: string | null;
  event: StoredLogEvent | StoredLiveEvent;
}

export interface StreamFilter {
  /** only this agent's events (an agent key's stream) */
  agentId?: string;
  types?: readonly StreamEventType[];
}

/** Live events of one kind, newest first. */
export interface LiveEventFilter {
  kind: LiveEventKind;
  agentId?: string;
  subtype?: string;
  /** inclusive, on occurredAt */
  from?: Date;
  /** exclusive, on occurredAt */
  to?: Date;
  limit: number;
  cursor?: string;
}
/** An event as stored: plus when the logger recorded it (first time), and which caller sent it. */
export type StoredLogEvent = LogEventRecord & { recordedAt: Date; sender: string };

/**
 * `stored`: every event of the batch is in the log now; `accepted` were new,
 * `duplicates` were already there with the same content. `conflict`: these
 * ids are already stored (or repeated in the batch) with other content, and
 * nothing of the batch was stored. `foreign`: these ids are stored by
 * another sender with other content, and nothing of the batch was stored (the
 * same content told again by another sender is a duplicate: the payment service
 * and the gateway may both tell the end of one payment).
 */
export type LogAppendOutcome =
  | { outcome: 'stored'; accepted: number; duplicates: number }
  | { outcome: 'conflict'; ids: string[] }
  | { outcome: 'foreign'; ids: string[] };

export interface LogEventFilter {
  kind?: LogEventKind;
  agentId?: string;
  serviceId?: string;
  /** matches decisions only */
  action?: DecisionAction;
  /** matches transactions only */
  status?: TransactionStatus;
  /** inclusive, on occurredAt */
  from?: Date;
  /** exclusive, on occurredAt */
  to?: Date;
  limit: number;
  /** from a previous page's `nextCursor` */
  cursor?: string;
}

export type LogStatsFilter = Pick<LogEventFilter, 'agentId' | 'serviceId' | 'from' | 'to'>;

/** Counts and net amounts (SUCCESS + MOCK less REFUNDED: negative when a window holds more refunds than payments). */
export interface LogEventStats {
  transactions: Record<TransactionStatus, number>;
  decisions: Record<DecisionAction, number>;
  totalSpent: bigint;
  spendByAgent: Map<string, bigint>;
  revenueByService: Map<string, bigint>;
}

/** `history`: the scope of the stats, cut into buckets of `bucketMs` (a UTC hour or day) on occurredAt. */
export type LogHistoryFilter = LogStatsFilter & { bucketMs: number };

/**
 * One bucket's (or slice's) figures: `calls` are decisions (`rejected` of them
 * REJECTED), `payments` SUCCESS + MOCK, `refunds` REFUNDED; `spent` is SUCCESS +
 * MOCK less REFUNDED, `refunded` the refunds' amount (bigint base units).
 */
export interface LogHistoryFigures {
  calls: number;
  rejected: number;
  payments: number;
  refunds: number;
  spent: bigint;
  refunded: bigint;
}

/** Oldest bucket first; a bucket without any event is not there. */
export interface LogEventHistory {
  totals: LogHistoryFigures;
  buckets: (LogHistoryFigures & {
    start: Date;
    byAgent: Map<string, LogHistoryFigures>;
    byService: Map<string, LogHistoryFigures>;
  })[];
}

export interface LogEventStore {
  /** Stores a batch of `sender`'s atomically: every new event, or (on a conflict, or an id another sender holds) none. */
  append(events: readonly AppendRecord[], now: Date, sender: string): Promise<LogAppendOutcome>;
  /** The stream after `afterSeq`, oldest first, at most `limit` events. */
  streamAfter(afterSeq: bigint, filter: StreamFilter, limit: number): Promise<StreamRecord[]>;
  /** The last stored event's `seq`; 0 when the log is empty. */
  lastSeq(): Promise<bigint>;
  /** Live events of one kind (`GET /alerts`), newest first; `nextCursor` is null on the last page. Throws InvalidCursorError. */
  listLive(filter: LiveEventFilter): Promise<{ items: StoredLiveEvent[]; nextCursor: string | null }>;
  get(id: string): Promise<StoredLogEvent | undefined>;
  /** Newest first by occurredAt, then id; `nextCursor` is null on the last page. Throws InvalidCursorError. */
  list(filter: LogEventFilter): Promise<{ items: StoredLogEvent[]; nextCursor: string | null }>;
  stats(filter: LogStatsFilter): Promise<LogEventStats>;
  /** Spend, calls and refunds per bucket, by agent and by service, computed in SQL. */
  history(filter: LogHistoryFilter): Promise<LogEventHistory>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
