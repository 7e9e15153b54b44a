import { AppError, conflict, notFound, validationError } from '@nexus/service-kit';
import { InvalidCursorError, type LogEventStore } from '@nexus/stores';
import {
  HISTORY_BUCKET_MS,
  historyWindow,
  type AlertList,
  type AlertQuery,
  type HistoryQuery,
  type LogEventAck,
  type LogEventBatch,
  type LoggedEvent,
  type LoggedEventList,
  type LogQuery,
  type LogStats,
  type SpendHistory,
  type StatsQuery,
} from '@nexus/types';
import type { LoggerMetrics } from './logger-metrics';
import { alertFilter, alertView, eventFilter, eventRecord, eventView, historyView, statsFilter, statsView } from './views';

export interface EventLogDeps {
  store: LogEventStore;
  metrics: LoggerMetrics;
  clock?: () => Date;
  /** told after a batch stored something new: this process's open streams read the log again */
  onStored?: () => void;
}

/** The logger's use cases: store batches once per event id, read them back, sum them up. */
export class EventLog {
  private readonly now: () => Date;

  constructor(private readonly deps: EventLogDeps) {
    this.now = deps.clock ?? (() => new Date());
  }

  /**
   * Stores `sender`'s batch. `created` when at least one event was new. A
   * conflict stores nothing of the batch (409 EVENT_CONFLICT naming the ids),
   * and so does an id another sender stored (403 EVENT_OF_ANOTHER_SENDER).
   */
  async append(batch: LogEventBatch, sender: string): Promise<{ ack: LogEventAck; created: boolean }> {
    const outcome = await this.deps.store.append(batch.events.map(eventRecord), this.now(), sender);
    switch (outcome.outcome) {
      case 'stored':
        this.deps.metrics.stored(outcome.accepted, outcome.duplicates);
        if (outcome.accepted > 0) this.deps.onStored?.();
        return { ack: { accepted: outcome.accepted, duplicates: outcome.duplicates }, created: outcome.accepted > 0 };
      case 'conflict': {
        this.deps.metrics.conflicted();
        const clashing = new Set(outcome.ids);
        const details = batch.events.flatMap((event, index) =>
          clashing.has(event.id)
            ? [{ path: `body.events.${index}.id`, message: `event ${event.id} is already stored (or sent twice) with other content` }]
            : [],
        );
        throw conflict(
          'EVENT_CONFLICT',
          `events already stored with other content: ${outcome.ids.join(', ')}; nothing of this batch was stored`,
          details,
        );
      }
      case 'foreign':
        this.deps.metrics.conflicted();
        throw new AppError(
          'EVENT_OF_ANOTHER_SENDER',
          `${sender} may not write events another sender stored: ${outcome.ids.join(', ')}; nothing of this batch was stored`,
        );
    }
  }

  async get(id: string): Promise<LoggedEvent> {
    const event = await this.deps.store.get(id);
    if (!event) throw notFound('NOT_FOUND', `no event ${id}`);
    return eventView(event);
  }

  async list(query: LogQuery): Promise<LoggedEventList> {
    try {
      const page = await this.deps.store.list(eventFilter(query));
      return { items: page.items.map(eventView), nextCursor: page.nextCursor };
    } catch (error: unknown) {
      if (error instanceof InvalidCursorError)
        throw validationError('invalid request query', [{ path: 'query.cursor', message: error.message }], { cause: error });
      throw error;
    }
  }

  /** Budget, treasury and rejection alerts, newest first (each stored once, by the id its sender gave it). */
  async alerts(query: AlertQuery): Promise<AlertList> {
    try {
      const page = await this.deps.store.listLive(alertFilter(query));
      return { items: page.items.map(alertView), nextCursor: page.nextCursor };
    } catch (error: unknown) {
      if (error instanceof InvalidCursorError)
        throw validationError('invalid request query', [{ path: 'query.cursor', message: error.message }], { cause: error });
      throw error;
    }
  }

  async stats(query: StatsQuery): Promise<LogStats> {
    return statsView(await this.deps.store.stats(statsFilter(query)));
  }

  /** Spend, calls and refunds per bucket; a window that is empty or too long for its bucket is a 400. */
  async history(query: HistoryQuery): Promise<SpendHistory> {
    const window = historyWindow(query, this.now());
    if (!window.ok) throw validationError('invalid request query', [{ path: window.path, message: window.message }]);
    const history = await this.deps.store.history({
      bucketMs: HISTORY_BUCKET_MS[query.bucket],
      from: window.from,
      to: window.to,
      agentId: query.agentId,
      serviceId: query.serviceId,
    });
    return historyView(query, window, history);
  }
}
