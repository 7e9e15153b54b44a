import type { Router } from 'express';
import { parseInput } from '@nexus/service-kit';
import { EventIdParams, LogEventBatch, LogQuery, StatsQuery } from '@nexus/types';
import type { EventLog } from '../event-log';

export function eventRoutes(router: Router, log: EventLog): void {
  /** Store a batch, once per event id. 201 when something was new, 200 when every event was already stored. */
  router.post('/events', async (req, res) => {
    const { ack, created } = await log.append(parseInput(LogEventBatch, req.body, 'body'));
    res.status(created ? 201 : 200).json(ack);
  });

  /** Newest first (occurredAt, then id), filtered, in cursor pages. */
  router.get('/events', async (req, res) => {
    res.json(await log.list(parseInput(LogQuery, req.query, 'query')));
  });

  router.get('/events/:id', async (req, res) => {
    const { id } = parseInput(EventIdParams, req.params, 'params');
    res.json(await log.get(id));
  });

  /** Counts, the actions breakdown, spend per agent and revenue per service (SUCCESS + MOCK less REFUNDED). */
  router.get('/stats', async (req, res) => {
    res.json(await log.stats(parseInput(StatsQuery, req.query, 'query')));
  });
}
