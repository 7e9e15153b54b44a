import type { Router } from 'express';
import { AppError, acceptCallers, callerOf, parseInput } from '@nexus/service-kit';
import { AlertQuery, EventIdParams, HistoryQuery, LogEventBatch, LogQuery, StatsQuery, type LogEvent } from '@nexus/types';
import type { EventLog } from '../event-log';

/**
 * What each sender may tell: the gateway its decisions, the payments it saw
 * and agents an operator changed; the payment service the
 * ends it drove and the treasury's alerts; the policy its alerts and approvals.
 */
const KINDS_OF_SENDER: Readonly<Record<string, readonly LogEvent['kind'][]>> = {
  gateway: ['decision', 'transaction', 'agent'],
  payment: ['transaction', 'alert'],
  policy: ['alert', 'approval'],
};

function refuseKindsNotOf(sender: string, events: readonly LogEvent[]): void {
  const allowed = KINDS_OF_SENDER[sender] ?? [];
  const refused = events.flatMap((event, index) =>
    allowed.includes(event.kind) ? [] : [{ path: `body.events.${index}.kind`, message: `${sender} may not send ${event.kind} events` }],
  );
  if (refused.length > 0)
    throw new AppError('FORBIDDEN_CALLER', `${sender} may not send these events; nothing of this batch was stored`, { details: refused });
}

export function eventRoutes(router: Router, log: EventLog): void {
  /** Store a batch, once per event id. 201 when something was new, 200 when every event was already stored. */
  router.post('/events', acceptCallers('gateway', 'payment', 'policy'), async (req, res) => {
    const batch = parseInput(LogEventBatch, req.body, 'body');
    const sender = callerOf(res);
    refuseKindsNotOf(sender, batch.events);
    const { ack, created } = await log.append(batch, sender);
    res.status(created ? 201 : 200).json(ack);
  });

  /** Newest first (occurredAt, then id), filtered, in cursor pages. */
  router.get('/events', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await log.list(parseInput(LogQuery, req.query, 'query')));
  });

  router.get('/events/:id', acceptCallers('gateway', 'operator'), async (req, res) => {
    const { id } = parseInput(EventIdParams, req.params, 'params');
    res.json(await log.get(id));
  });

  /** Counts, the actions breakdown, spend per agent and revenue per service (SUCCESS + MOCK less REFUNDED). */
  router.get('/stats', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await log.stats(parseInput(StatsQuery, req.query, 'query')));
  });

  /** Spend, calls and refunds per UTC hour or day, by agent and by service (oldest first; empty buckets left out). */
  router.get('/stats/history', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await log.history(parseInput(HistoryQuery, req.query, 'query')));
  });

  /** Alerts, newest first, filtered, in cursor pages. */
  router.get('/alerts', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await log.alerts(parseInput(AlertQuery, req.query, 'query')));
  });
}
