import type { Router } from 'express';
import { z } from 'zod';
import { acceptCallers, parseInput } from '@nexus/service-kit';
import { ResourceId, StreamEventType } from '@nexus/types';
import { serveEventStream, type EventStreamDeps } from '../live/event-stream';

const Seq = z.string().regex(/^\d{1,19}$/, 'must be a sequence number (the id of an event of this stream)');

export const StreamQuery = z.strictObject({
  agentId: ResourceId.optional(),
  /** a comma list of event types */
  types: z
    .string()
    .max(200)
    .transform((list) => list.split(',').map((type) => type.trim()))
    .pipe(z.array(StreamEventType).min(1))
    .optional(),
  /** resume after this seq (when there is no Last-Event-ID header); `0` replays the whole log; neither: from now on */
  after: Seq.optional(),
});

const LastEventId = z.object({ 'last-event-id': Seq.optional() });

export function streamRoutes(router: Router, deps: EventStreamDeps): void {
  /** Server-Sent Events: the log after Last-Event-ID (or `after`), then live. */
  router.get('/events/stream', acceptCallers('gateway', 'operator'), async (req, res) => {
    const query = parseInput(StreamQuery, req.query, 'query');
    const headers = parseInput(LastEventId, req.headers, 'headers');
    // Without a place to resume from, a stream starts now: the history is the lists' (GET /events, /alerts), not a replay.
    const after = headers['last-event-id'] ?? query.after;
    await serveEventStream(deps, req, res, {
      afterSeq: after === undefined ? await deps.store.lastSeq() : BigInt(after),
      filter: { agentId: query.agentId, types: query.types },
    });
  });
}
