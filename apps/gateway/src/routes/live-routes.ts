import { z } from 'zod';
import { AlertList, AlertQuery, ResourceId, StreamEvent, StreamEventType, StreamTicket } from '@nexus/types';
import { agentFilter } from '../access/caller';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, keyHolder, type AnyRoute } from '../http/route-spec';
import { defined } from './defined-fields';

/** The id of an event of the stream: where a resume starts after. */
const EventId = z.string().regex(/^\d{1,19}$/, 'must be the id of an event of this stream');

const StreamQuery = z.strictObject({
  agentId: ResourceId.optional().describe('only this agent (an agent key sees its own agent only, whatever it asks)'),
  types: z
    .string()
    .max(200)
    .transform((list) => list.split(',').map((type) => type.trim()))
    .pipe(z.array(StreamEventType).min(1))
    .optional()
    .describe('a comma list of event types: decision, payment, refund, alert, approval, agent'),
  ticket: z.string().max(200).optional().describe('a ticket from POST /events/tickets, instead of the Authorization header (EventSource)'),
  after: EventId.optional().describe(
    'resume after this event, as `Last-Event-ID` does (which wins when both are given): an EventSource with a new ticket cannot set the header',
  ),
});

const StreamHeaders = z.object({
  'last-event-id': EventId.optional().describe('resume after this event: nothing missed, nothing repeated'),
});

/** Live operations: the event stream, its tickets, and the alerts. */
export function liveRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/events/stream',
      tag: 'live',
      access: 'key',
      summary: 'Server-Sent Events: decisions, payments, refunds, alerts, approvals and agent changes as they happen',
      description:
        'Each event has `id:` (resume with `Last-Event-ID`, or `?after=`), `event:` (its type) and `data:` (JSON: type, at, agentId, serviceId, eventId, event). ' +
        'A `: ping` comment comes every 15 s of quiet. An agent key sees its own agent only. A browser gives `?ticket=` (POST /events/tickets) instead of a key.',
      query: StreamQuery,
      headers: StreamHeaders,
      responses: { 200: { description: 'the event stream', schema: StreamEvent, contentType: 'text/event-stream' } },
      errors: { 503: 'too many open streams, or the logger is unavailable' },
      handle: async ({ query, headers, caller, requestId }) => {
        const agentId = agentFilter(keyHolder(caller), query.agentId);
        const request = { agentId, types: query.types, lastEventId: headers['last-event-id'] ?? query.after };
        return { body: undefined, pipe: (res) => deps.streams.pipe(res, defined(request), requestId) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/events/tickets',
      tag: 'live',
      access: 'key',
      summary: 'A single-use ticket (60 s) that opens one event stream for this key, without the key in a URL',
      responses: { 201: { description: 'the ticket', schema: StreamTicket } },
      handle: async ({ caller }) => ({ status: 201, body: await deps.tickets.issue(keyHolder(caller)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/alerts',
      tag: 'live',
      access: 'key',
      summary: 'Budget, treasury and rejection alerts, newest first; filters agentId, alertType, from, to; `nextCursor` pages',
      description: "An agent key sees its own agent's alerts only.",
      query: AlertQuery,
      responses: { 200: { description: 'a page of alerts', schema: AlertList } },
      handle: async ({ query, caller, requestId }) => {
        const agentId = agentFilter(keyHolder(caller), query.agentId);
        return { body: await deps.logs.alerts(defined({ ...query, agentId }), { requestId }) };
      },
    }),
  ];
}
