import type { Request } from 'express';
import type { LogStats } from '@nexus/types';
import { LoggerClient } from './logger-client';
import { FakeLogger } from './outbox/testing/fake-logger';
import { decisionEvent, transactionEvent } from './outbox/testing/log-events';
import { listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';

const FAST_RETRY = { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

const STATS: LogStats = {
  transactions: { total: 2, successful: 1, failed: 1, refunded: 0, byStatus: { SUCCESS: 1, FAILED: 1, MOCK: 0, REFUNDED: 0 } },
  policy: { total: 3, allowed: 2, rejected: 1, downgraded: 0, pendingApproval: 0 },
  totalSpent: '0.05',
  spendByAgent: { 'user-agent': '0.05' },
  revenueByService: { IMAGE_GEN: '0.05' },
};

describe('LoggerClient over real HTTP', () => {
  let fake: FakeLogger;
  let server: LoopbackServer;
  let client: LoggerClient;
  let reads: Request[];

  beforeEach(async () => {
    fake = new FakeLogger('internal-token');
    reads = [];
    fake.app.get('/events', (req, res) => {
      reads.push(req);
      res.json({ items: [{ ...fake.stored[0], recordedAt: '2026-03-10T12:00:05.000Z' }], nextCursor: 'next-page' });
    });
    fake.app.get('/events/:id', (req, res) => {
      reads.push(req);
      const event = fake.stored.find((candidate) => candidate.id === req.params['id']);
      if (!event) res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such event' } });
      else res.json({ ...event, recordedAt: '2026-03-10T12:00:05.000Z' });
    });
    fake.app.get('/stats', (req, res) => {
      reads.push(req);
      res.json(req.query['agentId'] === 'drifted' ? { ...STATS, totalSpent: 0.05 } : STATS);
    });
    server = await listenOnLoopback(fake.app);
    client = new LoggerClient({ baseUrl: server.url, token: 'internal-token', retry: FAST_RETRY });
  });
  afterEach(() => server.close());

  it('posts a batch with the internal token and returns the acknowledgement', async () => {
    const events = [decisionEvent('ev-1'), transactionEvent('ev-2')];

    await expect(client.postEvents(events)).resolves.toEqual({ accepted: 2, duplicates: 0 });
    await expect(client.postEvents(events)).resolves.toEqual({ accepted: 0, duplicates: 2 });
    expect(fake.storedIds).toEqual(['ev-1', 'ev-2']);
  });

  it('retries a post through a 503 (idempotent by event id), unless told not to', async () => {
    fake.failures.push(503);
    await expect(client.postEvents([decisionEvent('ev-1')])).resolves.toEqual({ accepted: 1, duplicates: 0 });
    expect(fake.posts).toHaveLength(2);

    fake.failures.push(503);
    await expect(client.postEvents([decisionEvent('ev-2')], { retry: false })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(fake.posts).toHaveLength(3);
  });

  it('passes the logger’s 409 EVENT_CONFLICT through without retrying', async () => {
    await client.postEvents([decisionEvent('ev-1')]);

    await expect(client.postEvents([decisionEvent('ev-1', { message: 'other content' })])).rejects.toMatchObject({
      code: 'EVENT_CONFLICT',
      status: 409,
      transient: false,
    });
    expect(fake.posts).toHaveLength(2);
  });

  it('is refused with 401 UNAUTHORIZED without the right token', async () => {
    const stranger = new LoggerClient({ baseUrl: server.url, token: 'wrong', retry: FAST_RETRY });
    await expect(stranger.postEvents([decisionEvent('ev-1')])).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('queries events with the filters in the query string and reads the page', async () => {
    await client.postEvents([decisionEvent('ev-1')]);

    const page = await client.query({ kind: 'decision', agentId: 'user-agent', limit: 10, from: '2026-03-10T00:00:00.000Z' });

    expect(page).toEqual({ items: [{ ...decisionEvent('ev-1'), recordedAt: '2026-03-10T12:00:05.000Z' }], nextCursor: 'next-page' });
    expect(reads[0]?.query).toEqual({ kind: 'decision', agentId: 'user-agent', limit: '10', from: '2026-03-10T00:00:00.000Z' });
  });

  it('gets one event by an id that needs escaping, and passes a 404 through', async () => {
    await client.postEvents([transactionEvent('tx:1.2')]);

    await expect(client.get('tx:1.2')).resolves.toMatchObject({ id: 'tx:1.2', kind: 'transaction', recordedAt: expect.any(String) });
    expect(reads[0]?.originalUrl).toBe('/events/tx%3A1.2');
    await expect(client.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('reads stats, and says 502 when the logger answers outside its contract', async () => {
    await expect(client.stats({ agentId: 'user-agent' })).resolves.toEqual(STATS);
    await expect(client.stats({ agentId: 'drifted' })).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      status: 502,
      failure: 'bad_response',
    });
  });
});
