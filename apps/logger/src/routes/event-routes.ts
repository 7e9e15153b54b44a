import type { Router } from 'express';
import { acceptCallers, callerOf, parseInput } from '@nexus/service-kit';
import { EventIdParams, HistoryQuery, LogEventBatch, LogQuery, StatsQuery } from '@nexus/types';
import type { EventLog } from '../event-log';

export function eventRoutes(router: Router, log: EventLog): void {
  /** Store a batch, once per event id. 201 when something was new, 200 when every event was already stored. */
  router.post('/events', acceptCallers('gateway', 'payment'), async (req, res) => {
    const { ack, created } = await log.append(parseInput(LogEventBatch, req.body, 'body'), callerOf(res));
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
}
