import type {
  AppendRecord,
  LiveEventFilter,
  LogEventFilter,
  LogEventHistory,
  LogEventStats,
  LogHistoryFigures,
  LogStatsFilter,
  StoredLiveEvent,
  StoredLogEvent,
  StreamRecord,
} from '@nexus/stores';
import {
  fromBaseUnits,
  LoggedAlert,
  toBaseUnits,
  type AlertQuery,
  type HistoryFigures,
  type HistoryQuery,
  type LogEvent,
  type LoggedEvent,
  type LogQuery,
  type LogStats,
  type SpendHistory,
  type StatsQuery,
  type StreamEvent,
} from '@nexus/types';

/** HTTP shapes of @nexus/types ↔ store records. Money enters as decimal strings and leaves as them; bigint base units inside. */

const date = (timestamp: string | undefined) => (timestamp === undefined ? undefined : new Date(timestamp));
const money = (units: bigint | null) => (units === null ? null : fromBaseUnits(units));

export function eventRecord(event: LogEvent): AppendRecord {
  const occurredAt = new Date(event.occurredAt);
  switch (event.kind) {
    case 'decision':
      return { ...event, occurredAt, amount: event.amount === null ? null : toBaseUnits(event.amount) };
    case 'transaction':
      return { ...event, occurredAt, amount: toBaseUnits(event.amount) };
    // The live-operations kinds are kept as sent; the columns are what their lists filter on.
    case 'alert':
      return {
        kind: 'alert',
        id: event.id,
        occurredAt,
        agentId: event.agentId,
        serviceId: null,
        subtype: event.alertType,
        document: event,
      };
    case 'approval':
      return {
        kind: 'approval',
        id: event.id,
        occurredAt,
        agentId: event.agentId,
        serviceId: event.serviceId,
        subtype: event.status,
        document: event,
      };
    case 'agent':
      return { kind: 'agent', id: event.id, occurredAt, agentId: event.agentId, serviceId: null, subtype: event.change, document: event };
  }
}

/** A live event as sent, with when the logger recorded it. */
const liveView = (event: StoredLiveEvent) => ({ ...event.document, recordedAt: event.recordedAt.toISOString() });

export function alertView(event: StoredLiveEvent): LoggedAlert {
  return LoggedAlert.parse(liveView(event));
}

export function alertFilter(query: AlertQuery): LiveEventFilter {
  return {
    kind: 'alert',
    agentId: query.agentId,
    subtype: query.alertType,
    from: date(query.from),
    to: date(query.to),
    limit: query.limit,
    cursor: query.cursor,
  };
}

/** The `data:` of one Server-Sent Event (and of a webhook delivery): the event as the API shows it. */
export function streamEventView(record: StreamRecord): StreamEvent {
  const event = 'document' in record.event ? liveView(record.event) : eventView(record.event);
  return {
    type: record.type,
    at: record.occurredAt.toISOString(),
    ...(record.agentId !== null ? { agentId: record.agentId } : {}),
    ...(record.serviceId !== null ? { serviceId: record.serviceId } : {}),
    eventId: record.eventId,
    event,
  };
}

export function eventView(event: StoredLogEvent): LoggedEvent {
  const times = { occurredAt: event.occurredAt.toISOString(), recordedAt: event.recordedAt.toISOString() };
  switch (event.kind) {
    case 'decision':
      return {
        id: event.id,
        kind: 'decision',
        ...times,
        agentId: event.agentId,
        serviceId: event.serviceId,
        action: event.action,
        reason: event.reason,
        message: event.message,
        variant: event.variant,
        amount: money(event.amount),
        decisionId: event.decisionId,
        reservationId: event.reservationId,
      };
    case 'transaction':
      return {
        id: event.id,
        kind: 'transaction',
        ...times,
        agentId: event.agentId,
        serviceId: event.serviceId,
        status: event.status,
        amount: fromBaseUnits(event.amount),
        paymentId: event.paymentId,
        decisionId: event.decisionId,
        txHash: event.txHash,
        reason: event.reason,
        message: event.message,
      };
  }
}

export function statsFilter(query: StatsQuery): LogStatsFilter {
  return { agentId: query.agentId, serviceId: query.serviceId, from: date(query.from), to: date(query.to) };
}

export function eventFilter(query: LogQuery): LogEventFilter {
  return { ...statsFilter(query), kind: query.kind, action: query.action, status: query.status, limit: query.limit, cursor: query.cursor };
}

const amounts = (byKey: Map<string, bigint>) => Object.fromEntries([...byKey].map(([key, units]) => [key, fromBaseUnits(units)]));

export function statsView(stats: LogEventStats): LogStats {
  const { SUCCESS, MOCK, FAILED, REFUNDED } = stats.transactions;
  const { ALLOWED, REJECTED, DOWNGRADED, PENDING_APPROVAL } = stats.decisions;
  return {
    transactions: {
      total: SUCCESS + MOCK + FAILED,
      successful: SUCCESS + MOCK,
      failed: FAILED,
      refunded: REFUNDED,
      byStatus: { ...stats.transactions },
    },
    policy: {
      total: ALLOWED + REJECTED + DOWNGRADED + PENDING_APPROVAL,
      allowed: ALLOWED,
      rejected: REJECTED,
      downgraded: DOWNGRADED,
      pendingApproval: PENDING_APPROVAL,
    },
    totalSpent: fromBaseUnits(stats.totalSpent),
    spendByAgent: amounts(stats.spendByAgent),
    revenueByService: amounts(stats.revenueByService),
  };
}

function figuresView(figures: LogHistoryFigures): HistoryFigures {
  const { calls, rejected, payments, refunds } = figures;
  return { calls, rejected, payments, refunds, spent: fromBaseUnits(figures.spent), refunded: fromBaseUnits(figures.refunded) };
}

const figuresBy = (byKey: Map<string, LogHistoryFigures>) =>
  Object.fromEntries([...byKey].map(([key, figures]) => [key, figuresView(figures)]));

export function historyView(query: Pick<HistoryQuery, 'bucket'>, window: { from: Date; to: Date }, history: LogEventHistory): SpendHistory {
  return {
    bucket: query.bucket,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    totals: figuresView(history.totals),
    buckets: history.buckets.map((point) => ({
      start: point.start.toISOString(),
      ...figuresView(point),
      byAgent: figuresBy(point.byAgent),
      byService: figuresBy(point.byService),
    })),
  };
}
