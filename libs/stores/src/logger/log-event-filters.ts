import type { SelectQueryBuilder } from 'kysely';
import type { LogEventFilter, LogStatsFilter } from './log-event-store';
import { ms } from './log-event-rows';
import type { LoggerTables } from './logger-tables';

type EventQuery<O> = SelectQueryBuilder<LoggerTables, 'log_events', O>;

/** The filters lists and stats share: who, what, and the occurredAt window [from, to). */
export function whereScope<O>(query: EventQuery<O>, filter: LogStatsFilter): EventQuery<O> {
  let scoped = query;
  if (filter.agentId !== undefined) scoped = scoped.where('agent_id', '=', filter.agentId);
  if (filter.serviceId !== undefined) scoped = scoped.where('service_id', '=', filter.serviceId);
  if (filter.from !== undefined) scoped = scoped.where('occurred_at', '>=', ms(filter.from));
  if (filter.to !== undefined) scoped = scoped.where('occurred_at', '<', ms(filter.to));
  return scoped;
}

/** A list's filters: the scope, plus kind, action (decisions only) and status (transactions only). */
export function whereFilter<O>(query: EventQuery<O>, filter: LogEventFilter): EventQuery<O> {
  let filtered = whereScope(query, filter);
  if (filter.kind !== undefined) filtered = filtered.where('kind', '=', filter.kind);
  if (filter.action !== undefined) filtered = filtered.where('action', '=', filter.action);
  if (filter.status !== undefined) filtered = filtered.where('status', '=', filter.status);
  return filtered;
}
