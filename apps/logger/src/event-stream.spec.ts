import request from 'supertest';
import { authAs, errorOf, expectValidationError, openSseStream, type SseStream } from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { StreamEvent, type LogEvent } from '@nexus/types';
import { at, decisionEvent, transactionEvent } from './testing/events';
import { auth, createLoggerUnderTest, type LoggerHarnessOptions, type LoggerUnderTest } from './testing/logger-harness';

jest.setTimeout(30_000);

const post = async (service: LoggerUnderTest, events: LogEvent[], sender: 'gateway' | 'payment' = 'gateway') => {
  const res = await request(service.app).post('/events').set(authAs(sender)).send({ events });
  expect([200, 201]).toContain(res.status);
};
const ids = (stream: SseStream) => stream.messages.map((message) => StreamEvent.parse(JSON.parse(message.data)).eventId);
const seqs = (stream: SseStream) => stream.messages.map((message) => Number(message.id));

function describeStream(storeName: string, open: (options?: LoggerHarnessOptions) => Promise<LoggerUnderTest>): void {
  describe(`GET /events/stream on ${storeName}`, () => {
    let service: LoggerUnderTest;
    const streams: SseStream[] = [];
    const stream = async (query = '', headers: Record<string, string> = {}) => {
      const opened = await openSseStream(`${service.url}/events/stream${query}`, { ...auth, ...headers });
      streams.push(opened);
      return opened;
    };
    beforeEach(async () => {
      service = await open({ heartbeatMs: 200, maxStreams: 3 });
      await service.listen();
    });
    afterEach(async () => {
      for (const opened of streams.splice(0)) opened.close();
      await service?.close();
    });

    it('starts from now without a place to resume from: nothing of the past, then what is appended', async () => {
      await post(service, [decisionEvent('dec-0')]);
      const live = await stream();
      expect(live.status).toBe(200);
      await post(service, [decisionEvent('dec-1')]);
      await live.until('the appended event', (s) => s.messages.length === 1, 1_000);
      expect(ids(live)).toEqual(['dec-1']);
    });

    it('sends the log from the start (after=0), then what is appended, each with its seq as id, its type as event and the view as data', async () => {
      await post(service, [decisionEvent('dec-1'), transactionEvent('tx-1')]);
      const live = await stream('?after=0');
      expect(live.status).toBe(200);
      expect(live.headers['content-type']).toContain('text/event-stream');
      expect(live.headers['cache-control']).toContain('no-cache');
      expect(live.headers['x-accel-buffering']).toBe('no');
      await live.until('the stored events', (s) => s.messages.length === 2);

      await post(service, [transactionEvent('tx-2', { status: 'REFUNDED' })]);
      await live.until('the appended event', (s) => s.messages.length === 3, 1_000);

      expect(ids(live)).toEqual(['dec-1', 'tx-1', 'tx-2']);
      expect(live.messages.map((message) => message.event)).toEqual(['decision', 'payment', 'refund']);
      expect(seqs(live)).toEqual([1, 2, 3]);
      expect(StreamEvent.parse(JSON.parse(live.messages[1]?.data ?? ''))).toMatchObject({
        type: 'payment',
        agentId: 'user-agent',
        serviceId: 'IMAGE_GEN',
        event: { id: 'tx-1', status: 'SUCCESS', amount: '0.05' },
      });
    });

    it('resumes after Last-Event-ID (or `after`) with nothing missed and nothing repeated', async () => {
      await post(service, [decisionEvent('dec-1'), decisionEvent('dec-2'), decisionEvent('dec-3')]);
      const resumed = await stream('', { 'Last-Event-ID': '1' });
      const byQuery = await stream('?after=2');
      await post(service, [decisionEvent('dec-4')]);

      await resumed.until('the events after 1', (s) => s.messages.length === 3);
      await byQuery.until('the events after 2', (s) => s.messages.length === 2);
      expect(ids(resumed)).toEqual(['dec-2', 'dec-3', 'dec-4']);
      expect(ids(byQuery)).toEqual(['dec-3', 'dec-4']);
    });

    it('filters by agent and by types', async () => {
      const mine = await stream('?agentId=user-agent&types=payment,refund');
      await post(service, [
        decisionEvent('dec-1'),
        transactionEvent('tx-other', { agentId: 'batch-agent' }),
        transactionEvent('tx-mine', { occurredAt: at(1) }),
        transactionEvent('tx-back', { status: 'REFUNDED', occurredAt: at(2) }),
      ]);
      await mine.until('two events', (s) => s.messages.length === 2);
      await post(service, [decisionEvent('dec-last')]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ids(mine)).toEqual(['tx-mine', 'tx-back']);
    });

    it('sends heartbeats while idle, and a retry hint first', async () => {
      const idle = await stream();
      await idle.until('two heartbeats', (s) => s.comments.length >= 2, 2_000);
      expect(idle.comments[0]?.trim()).toBe('ping');
      expect(idle.text().startsWith('retry: ')).toBe(true);
    });

    it('refuses a bad resume point or type (400), and serves at most its bound of streams (503), freeing one when its client goes', async () => {
      expectValidationError(await request(service.app).get('/events/stream').set(auth).set('Last-Event-ID', 'abc'), [
        'headers.last-event-id',
      ]);
      expectValidationError(await request(service.app).get('/events/stream?types=decision,nope').set(auth), ['query.types.1']);
      const open3 = [await stream(), await stream(), await stream()];
      const refused = await stream();
      expect(refused.status).toBe(503);
      await refused.until('the error body', (s) => s.ended());
      expect(JSON.parse(refused.text())).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
      open3[0]?.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await stream()).status).toBe(200);
    });

    it('is for the gateway and the operator only', async () => {
      errorOf(await request(service.app).get('/events/stream').set(authAs('payment')), 403, 'FORBIDDEN_CALLER');
    });

    it('ends the open streams when the service stops', async () => {
      const live = await stream();
      await live.until('the retry hint', (s) => s.text().length > 0);
      service.stopStreams();
      await live.until('the end of the stream', (s) => s.ended(), 2_000);
    });
  });
}

describeStream('SQLite', (options) => createLoggerUnderTest(options));

describe('GET /events/stream on PostgreSQL', () => {
  const databases: TemporaryPostgres[] = [];
  const freshDatabase = async () => {
    const database = await createTemporaryPostgres('nexus_logger_stream');
    databases.push(database);
    return database.url;
  };
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  describeStream('PostgreSQL', async (options) => createLoggerUnderTest({ ...options, databaseUrl: await freshDatabase() }));

  it('wakes a stream on one logger with what another logger process stored (LISTEN/NOTIFY), in seq order', async () => {
    const dbUrl = await freshDatabase();
    const [a, b] = await Promise.all([createLoggerUnderTest({ databaseUrl: dbUrl }), createLoggerUnderTest({ databaseUrl: dbUrl })]);
    if (!a || !b) throw new Error('two loggers expected');
    await b.listen();
    const onB = await openSseStream(`${b.url}/events/stream`, auth);
    try {
      await onB.until('the retry hint', (s) => s.text().length > 0);
      const started = Date.now();
      await post(a, [decisionEvent('dec-a1'), transactionEvent('tx-a1')]);
      await onB.until('the events stored through the other logger', (s) => s.messages.length === 2, 1_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      await post(a, [decisionEvent('dec-a2')]);
      await post(b, [decisionEvent('dec-b1')]);
      await onB.until('all four', (s) => s.messages.length === 4, 1_000);
      expect(ids(onB)).toEqual(['dec-a1', 'tx-a1', 'dec-a2', 'dec-b1']);
    } finally {
      onB.close();
      await a.close();
      await b.close();
    }
  });
});
