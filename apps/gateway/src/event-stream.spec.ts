import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { LoggerClient } from '@nexus/clients';
import { createLogger } from '@nexus/service-kit';
import { listenOnLoopback, TEST_TOKENS, type LoopbackServer, type SseStream } from '@nexus/service-kit/testing';
import { AlertList, type AlertEvent } from '@nexus/types';
import { startBackingStack, type BackingStack } from './testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from './testing/gateway-under-test';
import { eventsOf, ofDecision, openGatewayStream, paidCall } from './testing/stream-probes';

jest.setTimeout(180_000);

const HEARTBEAT_MS = 300;

const alert = (id: string, agentId: string, overrides: Partial<AlertEvent> = {}): AlertEvent => ({
  id,
  kind: 'alert',
  occurredAt: new Date().toISOString(),
  alertType: 'budget_threshold',
  severity: 'warning',
  agentId,
  window: 'daily',
  windowStart: '2026-12-04T00:00:00.000Z',
  thresholdPercent: 80,
  spent: '4.00',
  budget: '5.00',
  balance: null,
  floor: null,
  count: null,
  minutes: null,
  message: `${agentId} spent 80% of its daily budget`,
  ...overrides,
});

/**
 * The public event stream, its tickets, agent events and alerts, through the
 * real gateway (served over loopback) and the real services behind it, each
 * a process with its own SQLite store.
 */
describe('live operations through the gateway (SQLite)', () => {
  let stack: BackingStack;
  let gw: GatewayUnderTest;
  let server: LoopbackServer;
  let dataDir: string;
  const streams: SseStream[] = [];
  const open = async (query: string, headers: Record<string, string>) => {
    const stream = await openGatewayStream(server.url, query, headers);
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    stack = await startBackingStack({ env: { STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-gateway-stream-'));
    gw = await createGatewayUnderTest(stack, { dataDir });
    server = await listenOnLoopback(gw.gateway.app);
  }, 180_000);
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    await server?.close();
    await gw?.close();
    await stack?.stopAll();
  });

  it('brings a paid call to an open stream within a second: its decision and its payment', async () => {
    const live = await open('?types=decision,payment', gw.auth('admin'));
    expect(live.status).toBe(200);
    expect(live.headers['content-type']).toContain('text/event-stream');
    expect(live.headers['x-accel-buffering']).toBe('no');

    const answer = await paidCall(gw, 'user-agent');
    const served = Date.now();
    await live.until('the call’s decision and payment', (s) => ofDecision(s, answer.decision.id).length === 2, 1_000);

    expect(Date.now() - served).toBeLessThan(1_000);
    expect(ofDecision(live, answer.decision.id)).toEqual([
      expect.objectContaining({ type: 'decision', agentId: 'user-agent', serviceId: 'PRICE_ORACLE' }),
      expect.objectContaining({
        type: 'payment',
        agentId: 'user-agent',
        event: expect.objectContaining({ amount: answer.payment?.amount }),
      }),
    ]);
  });

  it("never shows an agent key another agent's events, and refuses to widen with agentId", async () => {
    const admin = await open('', gw.auth('admin'));
    const user = await open('', gw.auth('user-agent'));
    const widened = await open('?agentId=batch-agent', gw.auth('user-agent'));
    expect(widened.status).toBe(403);

    const batchCall = await paidCall(gw, 'batch-agent');
    const userCall = await paidCall(gw, 'user-agent');
    await admin.until(
      'both calls',
      (s) => ofDecision(s, batchCall.decision.id).length === 2 && ofDecision(s, userCall.decision.id).length === 2,
    );
    await user.until("the user's call", (s) => ofDecision(s, userCall.decision.id).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 2 * HEARTBEAT_MS));

    expect(eventsOf(user).length).toBeGreaterThan(0);
    expect(eventsOf(user).filter((event) => event.agentId !== 'user-agent')).toEqual([]);
    expect(ofDecision(user, batchCall.decision.id)).toEqual([]);
  });

  it('sends heartbeats while nothing happens', async () => {
    const quiet = await open('?types=approval', gw.auth('admin'));
    await quiet.until('two heartbeats', (s) => s.comments.length >= 2, 3_000);
    expect(quiet.comments[0]?.trim()).toBe('ping');
  });

  it('tells a pause and a resume as agent events', async () => {
    const live = await open('?types=agent', gw.auth('admin'));
    await gw.http.post('/agents/ops-agent/pause').set(gw.auth('admin')).expect(200);
    await gw.http.post('/agents/ops-agent/resume').set(gw.auth('admin')).expect(200);
    await gw.http.put('/agents/ops-agent/budget').set(gw.auth('admin')).send({ maxPerCall: '2.00' }).expect(200);

    await live.until('three agent events', (s) => eventsOf(s).filter((event) => event.agentId === 'ops-agent').length >= 3, 3_000);
    const changes = eventsOf(live)
      .filter((event) => event.agentId === 'ops-agent')
      .slice(-3)
      .map((event) => [event.event['change'], event.event['budget']]);
    expect(changes).toEqual([
      ['paused', null],
      ['resumed', null],
      ['budget_changed', { maxPerCall: '2.00' }],
    ]);
    expect(live.messages.at(-1)?.event).toBe('agent');
  });

  it('opens a stream with a ticket once, for its own caller only; without credentials it is 401', async () => {
    const issued = await gw.http.post('/events/tickets').set(gw.auth('user-agent')).expect(201);
    const { ticket, expiresAt } = issued.body as { ticket: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(50_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);

    const byTicket = await open(`?ticket=${encodeURIComponent(ticket)}`, {});
    expect(byTicket.status).toBe(200);
    const again = await open(`?ticket=${encodeURIComponent(ticket)}`, {});
    expect(again.status).toBe(401);
    expect((await open('', {})).status).toBe(401);

    // bound to its caller: an agent's ticket does not open another agent's stream
    const other = (await gw.http.post('/events/tickets').set(gw.auth('user-agent')).expect(201)).body as { ticket: string };
    expect((await open(`?agentId=batch-agent&ticket=${encodeURIComponent(other.ticket)}`, {})).status).toBe(403);

    const batchCall = await paidCall(gw, 'batch-agent');
    const userCall = await paidCall(gw, 'user-agent');
    await byTicket.until("the user's call", (s) => ofDecision(s, userCall.decision.id).length === 2);
    expect(ofDecision(byTicket, batchCall.decision.id)).toEqual([]);
    expect(eventsOf(byTicket).every((event) => event.agentId === 'user-agent')).toBe(true);
  });

  it('never writes a ticket to the log: the request log shows the path without its query', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger('gateway', { level: 'debug', transports: [new winston.transports.Stream({ stream })] });
    const logged = await createGatewayUnderTest(stack, { logger, keys: { adminKey: gw.adminKey, agentKeys: gw.agentKeys } });
    const loggedServer = await listenOnLoopback(logged.gateway.app);
    try {
      const { ticket } = (await logged.http.post('/events/tickets').set(gw.auth('admin')).expect(201)).body as { ticket: string };
      const byTicket = await openGatewayStream(loggedServer.url, `?ticket=${encodeURIComponent(ticket)}`);
      expect(byTicket.status).toBe(200);
      const used = await openGatewayStream(loggedServer.url, `?ticket=${encodeURIComponent(ticket)}`);
      expect(used.status).toBe(401);
      byTicket.close();
      // the refused request's line (a stream its client left ends without `finish`, so it gets none)
      const streamLines = () => lines.filter((line) => line.includes('/events/stream'));
      for (let waited = 0; streamLines().length < 1 && waited < 3_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));

      expect(streamLines()).toEqual([expect.stringContaining('"status":401')]);
      expect(lines.join('\n')).not.toContain(ticket);
      expect(lines.join('\n')).not.toContain(encodeURIComponent(ticket));
    } finally {
      await loggedServer.close();
      await logged.close();
    }
  });

  it('lists alerts with filters and cursor pages; an agent key sees its own only', async () => {
    const policyLogs = new LoggerClient({ baseUrl: stack.gatewayEnv['LOGGER_URL'] ?? '', token: TEST_TOKENS.policy });
    const live = await open('?types=alert', gw.auth('user-agent'));
    try {
      await policyLogs.postEvents([
        alert('alert:budget:user-agent:daily:t:50', 'user-agent', { thresholdPercent: 50, occurredAt: '2026-12-04T10:00:00.000Z' }),
        alert('alert:budget:user-agent:daily:t:80', 'user-agent', { thresholdPercent: 80, occurredAt: '2026-12-04T11:00:00.000Z' }),
        alert('alert:budget:batch-agent:daily:t:80', 'batch-agent', { occurredAt: '2026-12-04T12:00:00.000Z' }),
        alert('alert:spike:t', 'user-agent', {
          alertType: 'rejection_spike',
          severity: 'critical',
          window: null,
          windowStart: null,
          thresholdPercent: null,
          spent: null,
          budget: null,
          count: 5,
          minutes: 10,
          occurredAt: '2026-12-04T13:00:00.000Z',
        }),
      ]);
    } finally {
      await policyLogs.close();
    }

    const page = async (who: string, query: Record<string, string>) => {
      const res = await gw.http.get('/alerts').set(gw.auth(who)).query(query);
      expect(res.status).toBe(200);
      return AlertList.parse(res.body);
    };
    const first = await page('admin', { alertType: 'budget_threshold', limit: '2' });
    expect(first.items.map((item) => item.id)).toEqual(['alert:budget:batch-agent:daily:t:80', 'alert:budget:user-agent:daily:t:80']);
    const second = await page('admin', { alertType: 'budget_threshold', limit: '2', cursor: first.nextCursor ?? '' });
    expect(second.items.map((item) => item.id)).toEqual(['alert:budget:user-agent:daily:t:50']);
    expect(second.nextCursor).toBeNull();
    expect((await page('admin', { agentId: 'batch-agent' })).items.map((item) => item.id)).toEqual(['alert:budget:batch-agent:daily:t:80']);

    const mine = await page('user-agent', {});
    expect(mine.items.map((item) => item.id)).toEqual([
      'alert:spike:t',
      'alert:budget:user-agent:daily:t:80',
      'alert:budget:user-agent:daily:t:50',
    ]);
    expect((await gw.http.get('/alerts').set(gw.auth('user-agent')).query({ agentId: 'batch-agent' })).status).toBe(403);

    await live.until("the user's three alerts", (s) => eventsOf(s).length === 3);
    expect(eventsOf(live).map((event) => event.eventId)).toEqual([
      'alert:budget:user-agent:daily:t:50',
      'alert:budget:user-agent:daily:t:80',
      'alert:spike:t',
    ]);
  });

  it('resumes from ?after= with a fresh ticket, as a browser does: nothing missed, nothing repeated; Last-Event-ID wins over it', async () => {
    const types = 'types=decision,payment';
    const ticket = async () => {
      const issued = await gw.http.post('/events/tickets').set(gw.auth('admin')).expect(201);
      return encodeURIComponent((issued.body as { ticket: string }).ticket);
    };
    const first = await open(`?${types}&ticket=${await ticket()}`, {});
    const before = await paidCall(gw, 'user-agent');
    await first.until('the first call', (s) => ofDecision(s, before.decision.id).length === 2);
    first.close();
    const lastId = first.messages.at(-1)?.id ?? '';

    // made while the page was away
    const between = await paidCall(gw, 'batch-agent');
    const resumed = await open(`?${types}&ticket=${await ticket()}&after=${lastId}`, {});
    await resumed.until('the call made while away', (s) => ofDecision(s, between.decision.id).length === 2, 5_000);
    const whole = await open(`?${types}&after=0`, gw.auth('admin'));
    await whole.until('everything', (s) => ofDecision(s, between.decision.id).length === 2, 5_000);

    const ids = (stream: SseStream) => stream.messages.map((message) => message.id);
    const expected = ids(whole).filter((id) => Number(id) > Number(lastId));
    expect(ids(resumed).slice(0, expected.length)).toEqual(expected);
    expect(new Set([...ids(first), ...ids(resumed)]).size).toBe(first.messages.length + resumed.messages.length);
    expect(ofDecision(resumed, between.decision.id).map((event) => event.type)).toEqual(['decision', 'payment']);
    expect(ofDecision(resumed, before.decision.id)).toEqual([]);

    // both given: the header wins
    const both = await open(`?${types}&after=0`, { ...gw.auth('admin'), 'Last-Event-ID': lastId });
    await both.until('the call made while away', (s) => ofDecision(s, between.decision.id).length === 2, 5_000);
    expect(ofDecision(both, before.decision.id)).toEqual([]);
    expect((await open(`?${types}&after=not-an-id`, gw.auth('admin'))).status).toBe(400);
  });

  it('resumes after a gateway restart from Last-Event-ID: nothing missed, nothing repeated', async () => {
    const types = '?types=decision,payment';
    const first = await open(types, gw.auth('admin'));
    const before = await paidCall(gw, 'user-agent');
    await first.until('the first call', (s) => ofDecision(s, before.decision.id).length === 2);
    first.close();
    const lastId = first.messages.at(-1)?.id ?? '';

    // made after the client left, before the restart: the gateway's outbox delivers it on its way out at the latest
    const between = await paidCall(gw, 'batch-agent');
    await server.close();
    await gw.close();
    gw = await createGatewayUnderTest(stack, { dataDir, keys: { adminKey: gw.adminKey, agentKeys: gw.agentKeys } });
    server = await listenOnLoopback(gw.gateway.app);
    const after = await paidCall(gw, 'user-agent');

    const resumed = await open(types, { ...gw.auth('admin'), 'Last-Event-ID': lastId });
    await resumed.until('the call after the restart', (s) => ofDecision(s, after.decision.id).length === 2, 5_000);
    const whole = await open(types, { ...gw.auth('admin'), 'Last-Event-ID': '0' });
    await whole.until('everything', (s) => ofDecision(s, after.decision.id).length === 2, 5_000);

    const ids = (stream: SseStream) => stream.messages.map((message) => message.id);
    const expected = ids(whole).filter((id) => Number(id) > Number(lastId));
    expect(ids(resumed).slice(0, expected.length)).toEqual(expected);
    expect(new Set([...ids(first), ...ids(resumed)]).size).toBe(first.messages.length + resumed.messages.length);
    expect(ofDecision(resumed, between.decision.id).map((event) => event.type)).toEqual(['decision', 'payment']);
    expect(ofDecision(resumed, before.decision.id)).toEqual([]);
  });
});
