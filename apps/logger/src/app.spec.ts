import request from 'supertest';
import { errorOf, expectValidationError } from '@nexus/service-kit/testing';
import { createTemporaryPostgres } from '@nexus/stores/testing';
import { LogEventAck, LoggedEvent, LoggedEventList, type DecisionEvent, type TransactionEvent } from '@nexus/types';
import { at, decisionEvent, T0, transactionEvent } from './testing/events';
import { auth, createLoggerUnderTest, type LoggerUnderTest } from './testing/logger-harness';

const RECORDED_AT = new Date('2026-03-10T13:00:00.000Z');

const post = (service: LoggerUnderTest, body: unknown) =>
  request(service.app)
    .post('/events')
    .set(auth)
    .send(body as object);
const getEvent = (service: LoggerUnderTest, id: string) =>
  request(service.app)
    .get(`/events/${encodeURIComponent(id)}`)
    .set(auth);
const listAll = async (service: LoggerUnderTest) =>
  LoggedEventList.parse((await request(service.app).get('/events').set(auth).query({ limit: 500 })).body);

function ackOf(response: request.Response, status: number): LogEventAck {
  expect(response.status).toBe(status);
  return LogEventAck.parse(response.body);
}

const metricValue = async (service: LoggerUnderTest, name: string): Promise<number> => {
  const text = (await request(service.app).get('/metrics')).text;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1));
};

/** Idempotency by event id, the same on every store the logger runs on. */
function describeIngestContract(storeName: string, open: () => Promise<LoggerUnderTest>): void {
  describe(`POST /events on ${storeName}`, () => {
    let service: LoggerUnderTest;
    beforeEach(async () => {
      service = await open();
    });
    afterEach(async () => {
      await service?.close();
    });

    it('stores a batch (201), then answers its repeat with 200 and every event a duplicate, storing nothing twice', async () => {
      const events = [decisionEvent('dec-1'), transactionEvent('tx-1')];
      expect(ackOf(await post(service, { events }), 201)).toEqual({ accepted: 2, duplicates: 0 });
      expect(ackOf(await post(service, { events }), 200)).toEqual({ accepted: 0, duplicates: 2 });
      expect(ackOf(await post(service, { events: [transactionEvent('tx-2'), ...events] }), 201)).toEqual({ accepted: 1, duplicates: 2 });

      expect((await listAll(service)).items.map((item) => item.id)).toEqual(['tx-2', 'tx-1', 'dec-1']);
      expect(await metricValue(service, 'logger_events_stored_total')).toBe(3);
      expect(await metricValue(service, 'logger_event_duplicates_total')).toBe(4);
    });

    it('treats the same amount written differently ("1.5" and "1.500") as the same event', async () => {
      ackOf(await post(service, { events: [transactionEvent('tx-1', { amount: '1.5' })] }), 201);
      expect(ackOf(await post(service, { events: [transactionEvent('tx-1', { amount: '1.500' })] }), 200)).toEqual({
        accepted: 0,
        duplicates: 1,
      });
    });

    it('stores an event once when 30 posts of it race: one 201, 29 duplicates', async () => {
      const body = { events: [transactionEvent('raced', { status: 'MOCK', txHash: null })] };
      const responses = await Promise.all(Array.from({ length: 30 }, () => post(service, body)));

      expect(responses.map((response) => response.status).sort()).toEqual([...Array<number>(29).fill(200), 201]);
      expect((await listAll(service)).items.map((item) => item.id)).toEqual(['raced']);
      expect(await metricValue(service, 'logger_event_duplicates_total')).toBe(29);
    });

    it('refuses a batch with an id stored with other content: 409 EVENT_CONFLICT naming it, nothing of the batch stored', async () => {
      ackOf(await post(service, { events: [transactionEvent('tx-1'), decisionEvent('dec-1')] }), 201);

      const response = await post(service, {
        events: [decisionEvent('dec-2'), transactionEvent('tx-1', { amount: '0.06' }), decisionEvent('dec-1', { action: 'REJECTED' })],
      });

      const error = errorOf(response, 409, 'EVENT_CONFLICT');
      expect(error.message).toContain('dec-1, tx-1');
      expect(error.details?.map((detail) => detail.path)).toEqual(['body.events.1.id', 'body.events.2.id']);
      errorOf(await getEvent(service, 'dec-2'), 404, 'NOT_FOUND');
      expect(LoggedEvent.parse((await getEvent(service, 'tx-1')).body)).toMatchObject({ amount: '0.05' });
      expect(await metricValue(service, 'logger_event_conflicts_total')).toBe(1);
    });
  });
}

describe('logger HTTP API', () => {
  describeIngestContract('SQLite', () => createLoggerUnderTest({ clock: () => RECORDED_AT }));

  describeIngestContract('PostgreSQL', async () => {
    const postgres = await createTemporaryPostgres('nexus_logger_app');
    const service = await createLoggerUnderTest({ databaseUrl: postgres.url, clock: () => RECORDED_AT });
    const closeService = service.close;
    service.close = async () => {
      await closeService();
      await postgres.drop();
    };
    return service;
  });

  it('stores an event once when posts of it race on two PostgreSQL replicas', async () => {
    const postgres = await createTemporaryPostgres('nexus_logger_app');
    const replicas = await Promise.all([
      createLoggerUnderTest({ databaseUrl: postgres.url }),
      createLoggerUnderTest({ databaseUrl: postgres.url }),
    ]);
    try {
      const body = { events: [decisionEvent('replicated'), transactionEvent('replicated-tx')] };
      const responses = await Promise.all(Array.from({ length: 20 }, (_, index) => post(replicas[index % 2] as LoggerUnderTest, body)));
      const acks = responses.map((response) => LogEventAck.parse(response.body));
      expect(acks.reduce((sum, ack) => sum + ack.accepted, 0)).toBe(2);
      expect(acks.reduce((sum, ack) => sum + ack.duplicates, 0)).toBe(38);
      expect((await listAll(replicas[1] as LoggerUnderTest)).items.map((item) => item.id)).toEqual(['replicated-tx', 'replicated']);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await postgres.drop();
    }
  });

  describe('on a fresh store', () => {
    let service: LoggerUnderTest;
    beforeEach(async () => {
      service = await createLoggerUnderTest({ clock: () => RECORDED_AT });
    });
    afterEach(async () => {
      await service?.close();
    });

    it('reads an event back as sent, with when it was recorded', async () => {
      const sent: (DecisionEvent | TransactionEvent)[] = [
        decisionEvent('dec:1.a', { action: 'DOWNGRADED', reason: 'BUDGET_PRESSURE_DOWNGRADE', variant: 'summary', amount: '0.001' }),
        decisionEvent('dec-2', { action: 'REJECTED', reason: 'AGENT_PAUSED', variant: null, amount: null, reservationId: null }),
        transactionEvent('tx-1', { status: 'REFUNDED', amount: '999999999999.999999', reason: 'PROVIDER_FAILED', message: 'upstream 500' }),
        transactionEvent('tx-2', { status: 'FAILED', paymentId: null, decisionId: null, txHash: null, amount: '2' }),
      ];
      ackOf(await post(service, { events: sent }), 201);

      for (const event of sent) {
        const response = await getEvent(service, event.id);
        expect(response.status).toBe(200);
        const amount = event.id === 'tx-2' ? '2.00' : event.amount;
        expect(LoggedEvent.parse(response.body)).toEqual({ ...event, amount, recordedAt: RECORDED_AT.toISOString() });
      }
    });

    it('answers an event time to the millisecond, in UTC', async () => {
      ackOf(await post(service, { events: [decisionEvent('d', { occurredAt: '2026-03-10T12:00:00Z' })] }), 201);
      expect(LoggedEvent.parse((await getEvent(service, 'd')).body).occurredAt).toBe(T0);
      expect(ackOf(await post(service, { events: [decisionEvent('d', { occurredAt: T0 })] }), 200).duplicates).toBe(1);
    });

    it('takes a batch of 500 events at their largest', async () => {
      const long = 'x'.repeat(500);
      const events = Array.from({ length: 500 }, (_, index) =>
        decisionEvent(`${'e'.repeat(120)}-${String(index).padStart(4, '0')}`, {
          message: long,
          decisionId: 'd'.repeat(100),
          reservationId: 'r'.repeat(100),
          agentId: 'a'.repeat(64),
          serviceId: 's'.repeat(64),
          variant: 'v'.repeat(64),
          amount: '999999999999.999999',
          occurredAt: at(index),
        }),
      );
      expect(ackOf(await post(service, { events }), 201)).toEqual({ accepted: 500, duplicates: 0 });
    });

    describe('bad input', () => {
      it('refuses an empty batch, a batch of 501 and a body that is not a batch', async () => {
        expectValidationError(await post(service, { events: [] }), ['body.events']);
        expectValidationError(await post(service, { events: Array.from({ length: 501 }, (_, index) => decisionEvent(`e${index}`)) }), [
          'body.events',
        ]);
        expectValidationError(await post(service, [decisionEvent('e1')]), ['body']);
        expectValidationError(await post(service, { events: [decisionEvent('e1')], extra: true }), ['body']);
        expect((await listAll(service)).items).toEqual([]);
      });

      it('names every bad field of every bad event, and stores none of the batch', async () => {
        const response = await post(service, {
          events: [
            decisionEvent('ok'),
            { ...decisionEvent('bad-1'), amount: 0.05, action: 'MAYBE', occurredAt: 'yesterday' },
            { ...transactionEvent('bad-2'), status: 'PENDING', txHash: '0x12', paymentId: 'pay_1', unknown: 1 },
            { ...transactionEvent('-bad-id'), message: 'nul\u0000here' },
            { ...decisionEvent('bad-3'), kind: 'note' },
          ],
        });
        expectValidationError(response, [
          'body.events.1.amount',
          'body.events.1.action',
          'body.events.1.occurredAt',
          'body.events.2.status',
          'body.events.2.txHash',
          'body.events.2.paymentId',
          'body.events.2',
          'body.events.3.id',
          'body.events.3.message',
          'body.events.4.kind',
        ]);
        errorOf(await getEvent(service, 'ok'), 404, 'NOT_FOUND');
      });

      it('answers 400 MALFORMED_JSON to a body that is not JSON, and 413 to one too large', async () => {
        const malformed = await request(service.app).post('/events').set(auth).set('Content-Type', 'application/json').send('{"events": [');
        errorOf(malformed, 400, 'MALFORMED_JSON');
        const huge = await request(service.app)
          .post('/events')
          .set(auth)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ events: [], padding: 'x'.repeat(1_100_000) }));
        errorOf(huge, 413, 'PAYLOAD_TOO_LARGE');
      });

      it('answers 400 for a malformed event id and 404 NOT_FOUND for an unknown one', async () => {
        expectValidationError(await getEvent(service, '-starts-with-a-dash'), ['params.id']);
        expectValidationError(await getEvent(service, 'x'.repeat(129)), ['params.id']);
        const error = errorOf(await getEvent(service, 'never-sent'), 404, 'NOT_FOUND');
        expect(error.message).toContain('never-sent');
      });

      it('answers 404 NOT_FOUND in the error format for a route that does not exist', async () => {
        errorOf(await request(service.app).delete('/events/e1').set(auth), 404, 'NOT_FOUND');
      });
    });

    describe('auth', () => {
      it.each([
        ['POST', '/events'],
        ['GET', '/events'],
        ['GET', '/events/e1'],
        ['GET', '/stats'],
      ])('refuses %s %s without the internal token, or with a wrong one', async (method, path) => {
        const call = () =>
          method === 'POST'
            ? request(service.app)
                .post(path)
                .send({ events: [decisionEvent('e1')] })
            : request(service.app).get(path);
        const missing = await call();
        expect(errorOf(missing, 401, 'UNAUTHORIZED').message).toBe('missing bearer token');
        expect(missing.headers['www-authenticate']).toContain('Bearer');
        expect(errorOf(await call().set('Authorization', 'Bearer wrong-token-0123456789'), 401, 'UNAUTHORIZED').message).toBe(
          'invalid bearer token',
        );
        errorOf(await call().set('Authorization', auth.Authorization.replace('Bearer', 'Basic')), 401, 'UNAUTHORIZED');
        expect((await listAll(service)).items).toEqual([]);
      });

      it('serves /health and /metrics without a token', async () => {
        const health = await request(service.app).get('/health');
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({ status: 'ok', service: 'logger', checks: { store: { status: 'ok' } } });
        const metrics = await request(service.app).get('/metrics');
        expect(metrics.status).toBe(200);
        expect(metrics.text).toContain('logger_events_stored_total');
        expect(metrics.text).toContain('logger_event_duplicates_total');
      });
    });

    it('answers 503 SERVICE_UNAVAILABLE when the store is gone, and says so on /health', async () => {
      await service.store.close();
      errorOf(await post(service, { events: [decisionEvent('e1')] }), 503, 'SERVICE_UNAVAILABLE');
      errorOf(await request(service.app).get('/events').set(auth), 503, 'SERVICE_UNAVAILABLE');
      const health = await request(service.app).get('/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unavailable', checks: { store: { status: 'failing' } } });
    });
  });
});
