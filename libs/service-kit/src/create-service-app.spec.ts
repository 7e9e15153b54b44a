import { Writable } from 'node:stream';
import type { Router } from 'express';
import request from 'supertest';
import winston from 'winston';
import { z } from 'zod';
import { AppError, conflict } from './app-error';
import { acceptCallers, callerOf, tokenSha256 } from './caller-auth';
import { createServiceApp, type ServiceAppOptions } from './create-service-app';
import type { HealthCheck } from './health';
import { createLogger, createSilentLogger, type Logger } from './logger';
import { requestLogMode } from './request-log';
import { parseInput } from './validate';
import { waitFor } from './testing/wait-for';

const TOKEN = 'internal-token-for-tests-0123456789';
const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789';
const GENERATED_ID = /^req_[0-9a-f]{32}$/;

type LogLine = Record<string, unknown>;

/** A JSON logger whose lines land in `lines` (parsed) and `text` (as written). */
function captureLogs(): { logger: Logger; lines: LogLine[]; text: () => string } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of String(chunk).split('\n')) {
        if (line.trim() === '') continue;
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      }
      callback();
    },
  });
  const logger = createLogger('svc', { level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines, text: () => raw.join('\n') };
}

/** Log lines are written after the response is sent: wait for the one we want. */
const waitForLine = (lines: readonly LogLine[], predicate: (line: LogLine) => boolean): Promise<LogLine> =>
  waitFor('the log line', async () => lines.find(predicate), { timeoutMs: 1_000, intervalMs: 10 });

const Thing = z.object({ name: z.string().min(1), count: z.number().int() });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100) });

function testRoutes(logger: Logger) {
  return (router: Router) => {
    router.get('/items/:id', (req, res) => {
      res.json({ id: req.params['id'] });
    });
    router.get('/agents/:id', (req) => {
      throw new AppError('AGENT_NOT_FOUND', `no agent "${req.params['id']}"`, {
        details: [{ path: 'params.id', message: 'unknown agent' }],
      });
    });
    router.post('/reservations', () => {
      throw conflict('IDEMPOTENCY_KEY_REUSED', 'key reused with another body');
    });
    router.get('/boom', () => {
      throw new Error('database password is hunter2');
    });
    router.get('/async-boom', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('connection to 10.0.0.5 refused');
    });
    router.post('/things', (req, res) => {
      res.status(201).json(parseInput(Thing, req.body, 'body'));
    });
    router.get('/things', (req, res) => {
      res.json(parseInput(ListQuery, req.query, 'query'));
    });
    router.get('/things/:id', (req, res) => {
      res.json({ id: req.params['id'] });
    });
    router.post('/logged', async (req, res) => {
      logger.info('before await');
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.warn('after await');
      res.json({ received: Object.keys(req.body as object) });
    });
    router.get('/logged-failure', async () => {
      logger.info('about to fail');
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('store unavailable', { cause: new Error('socket closed') });
    });
  };
}

function buildApp(options: Partial<ServiceAppOptions> = {}) {
  const logger = options.logger ?? createSilentLogger();
  return createServiceApp({ name: 'svc', logger, routes: testRoutes(logger), ...options });
}

describe('createServiceApp', () => {
  describe('errors', () => {
    it('answers an AppError with its status and the error body, details included', async () => {
      const res = await request(buildApp()).get('/agents/ghost').set('X-Request-Id', 'trace-1');

      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        error: {
          code: 'AGENT_NOT_FOUND',
          message: 'no agent "ghost"',
          details: [{ path: 'params.id', message: 'unknown agent' }],
          requestId: 'trace-1',
        },
      });
    });

    it('leaves details out of the body when the error has none', async () => {
      const res = await request(buildApp()).post('/reservations');

      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({
        code: 'IDEMPOTENCY_KEY_REUSED',
        message: 'key reused with another body',
        requestId: expect.stringMatching(GENERATED_ID),
      });
    });

    it('answers a thrown plain Error with 500 INTERNAL_ERROR and neither its message nor a stack', async () => {
      const res = await request(buildApp()).get('/boom').set('X-Request-Id', 'trace-2');

      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error', requestId: 'trace-2' } });
      expect(res.text).not.toContain('hunter2');
      expect(res.text).not.toMatch(/\bat .*\.ts:\d+/);
    });

    it('answers a rejected async route the same way', async () => {
      const res = await request(buildApp()).get('/async-boom');

      expect(res.status).toBe(500);
      expect(res.body.error).toEqual({ code: 'INTERNAL_ERROR', message: 'internal error', requestId: expect.stringMatching(GENERATED_ID) });
      expect(res.text).not.toContain('10.0.0.5');
    });

    it('logs the cause of a 500 (message and stack) where the body hides it', async () => {
      const { logger, lines } = captureLogs();

      await request(buildApp({ logger })).get('/boom').set('X-Request-Id', 'trace-3').expect(500);

      const line = await waitForLine(lines, (l) => l['message'] === 'request failed');
      expect(line).toMatchObject({ level: 'error', code: 'INTERNAL_ERROR', requestId: 'trace-3' });
      expect(line['error']).toMatchObject({
        name: 'Error',
        message: 'database password is hunter2',
        stack: expect.stringContaining('Error: '),
      });
    });

    it('does not log 4xx errors as failures', async () => {
      const { logger, lines } = captureLogs();

      await request(buildApp({ logger })).get('/agents/ghost').expect(404);

      await waitForLine(lines, (l) => l['message'] === 'request');
      expect(lines.filter((l) => l['message'] === 'request failed')).toEqual([]);
    });

    it('answers an unknown route with 404 NOT_FOUND', async () => {
      const res = await request(buildApp()).delete('/nowhere').set('X-Request-Id', 'trace-4');

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for DELETE /nowhere', requestId: 'trace-4' } });
    });
  });

  describe('input', () => {
    it('answers invalid body input with 400 VALIDATION_ERROR listing every field', async () => {
      const res = await request(buildApp()).post('/things').send({ name: '', count: 'three' });

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.message).toBe('invalid request body');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.name', 'body.count']);
    });

    it('treats a request without a body as an empty object to validate', async () => {
      const res = await request(buildApp()).post('/things');

      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.name', 'body.count']);
    });

    it('names the query string in the detail paths of an invalid query', async () => {
      const res = await request(buildApp()).get('/things').query({ limit: '1000' });

      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'query.limit', message: expect.any(String) }]);
    });

    it('passes valid input on, parsed by its schema', async () => {
      await request(buildApp()).post('/things').send({ name: 'widget', count: 3 }).expect(201, { name: 'widget', count: 3 });
      await request(buildApp()).get('/things?limit=25').expect(200, { limit: 25 });
    });

    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      const res = await request(buildApp()).post('/things').set('Content-Type', 'application/json').send('{"name": "widget",');

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'MALFORMED_JSON', message: 'request body is not valid JSON' });
    });

    it('answers 413 to a body over the limit', async () => {
      const app = buildApp({ bodyLimit: '1kb' });

      const res = await request(app)
        .post('/things')
        .send({ name: 'x'.repeat(2048), count: 1 });

      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' });
      await request(app)
        .post('/things')
        .send({ name: 'x'.repeat(512), count: 1 })
        .expect(201);
    });

    it('limits bodies to 100kb by default', async () => {
      const app = buildApp();

      await request(app)
        .post('/things')
        .send({ name: 'x'.repeat(110 * 1024), count: 1 })
        .expect(413);
      await request(app)
        .post('/things')
        .send({ name: 'x'.repeat(90 * 1024), count: 1 })
        .expect(201);
    });

    it('answers 400 to a gzip body that does not inflate, not 500', async () => {
      const res = await request(buildApp())
        .post('/things')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('this is not gzip');

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MALFORMED_JSON');
    });

    it('answers 400 to a path that is not valid percent-encoding, not 500', async () => {
      const res = await request(buildApp()).get('/things/%E0%A4%A');

      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    });

    it('answers 415 to a JSON body in a charset it cannot read', async () => {
      const res = await request(buildApp())
        .post('/things')
        .set('Content-Type', 'application/json; charset=latin-9')
        .send('{"name":"widget","count":1}');

      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('callers', () => {
    const callers = new Map([
      ['gateway', tokenSha256(TOKEN)],
      ['operator', tokenSha256(OPERATOR_TOKEN)],
    ] as const);
    const callerRoutes = (router: Router) => {
      router.get('/items/:id', acceptCallers('gateway', 'operator'), (req, res) => {
        res.json({ id: req.params['id'], caller: callerOf(res) });
      });
      router.post('/things', acceptCallers('gateway'), (req, res) => {
        res.status(201).json(parseInput(Thing, req.body, 'body'));
      });
    };
    const app = buildApp({ callers, routes: callerRoutes });

    it('answers 401 with WWW-Authenticate when the bearer token is missing', async () => {
      const res = await request(app).get('/items/1');

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="nexus-internal"');
      expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'missing bearer token' });
    });

    it('answers 401 to a token no caller holds', async () => {
      const res = await request(app).get('/items/1').set('Authorization', `Bearer ${TOKEN}x`);

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="nexus-internal"');
      expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'invalid bearer token' });
    });

    it('answers 401 to a known token sent in another scheme, and to the hash sent as if it were the token', async () => {
      await request(app).get('/items/1').set('Authorization', `Basic ${TOKEN}`).expect(401);
      await request(app)
        .get('/items/1')
        .set('Authorization', `Bearer ${tokenSha256(TOKEN)}`)
        .expect(401);
    });

    it('lets a caller the route accepts through, and tells the handler who it is', async () => {
      await request(app).get('/items/1').set('Authorization', `Bearer ${TOKEN}`).expect(200, { id: '1', caller: 'gateway' });
      await request(app).get('/items/2').set('Authorization', `Bearer ${OPERATOR_TOKEN}`).expect(200, { id: '2', caller: 'operator' });
    });

    it('answers 403 FORBIDDEN_CALLER to a known caller the route does not accept, before reading its body', async () => {
      const res = await request(app).post('/things').set('Authorization', `Bearer ${OPERATOR_TOKEN}`).send({ name: 'widget', count: 1 });

      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN_CALLER', message: 'operator may not call this route' });
    });

    it('keeps /health and /metrics public', async () => {
      await request(app).get('/health').expect(200);
      await request(app).get('/metrics').expect(200);
    });

    it('checks the token before reading the body or revealing which routes exist', async () => {
      await request(app).post('/things').set('Content-Type', 'application/json').send('{not json').expect(401);
      await request(app).get('/no-such-route').expect(401);
      await request(app).get('/no-such-route').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    });

    it('refuses to build an internal app with a route that names no callers', () => {
      expect(() => buildApp({ callers })).toThrow(/must name the callers they accept.*GET \/items\/:id/);
    });

    it('needs no token when the app knows no callers', async () => {
      await request(buildApp()).get('/items/1').expect(200);
    });
  });

  describe('health', () => {
    it('answers 200 with every check ok', async () => {
      const healthChecks: Record<string, HealthCheck> = { store: () => undefined, chain: async () => 'block 12' };

      const res = await request(buildApp({ healthChecks })).get('/health');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'ok',
        service: 'svc',
        uptimeSeconds: expect.any(Number),
        checks: { store: { status: 'ok' }, chain: { status: 'ok' } },
      });
    });

    it('answers 200 with no checks at all', async () => {
      const res = await request(buildApp()).get('/health');

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', checks: {} });
    });

    it('answers 503 naming the check that throws or rejects', async () => {
      const healthChecks: Record<string, HealthCheck> = {
        store: () => undefined,
        chain: async () => {
          throw new Error('rpc at 127.0.0.1:8545 not answering');
        },
        queue: () => {
          throw new Error('queue closed');
        },
      };

      const res = await request(buildApp({ healthChecks })).get('/health');

      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
      expect(res.body.checks).toEqual({
        store: { status: 'ok' },
        chain: { status: 'failing', error: 'rpc at 127.0.0.1:8545 not answering' },
        queue: { status: 'failing', error: 'queue closed' },
      });
    });
  });

  describe('metrics', () => {
    it('serves Prometheus text with process metrics and request durations by route template', async () => {
      const app = buildApp();
      await request(app).get('/items/42').expect(200);
      await request(app).get('/items/7').expect(200);
      await request(app).get('/agents/ghost').expect(404);

      const res = await request(app).get('/metrics');

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toContain('# TYPE process_cpu_user_seconds_total counter');
      expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(res.text).toMatch(
        /^http_request_duration_seconds_count\{(?=[^}]*method="GET")(?=[^}]*route="\/items\/:id")(?=[^}]*status_code="200")(?=[^}]*service="svc")[^}]*\} 2$/m,
      );
      expect(res.text).toMatch(/^http_request_duration_seconds_count\{(?=[^}]*route="\/agents\/:id")(?=[^}]*status_code="404")[^}]*\} 1$/m);
      expect(res.text).not.toContain('/items/42');
      expect(res.text).not.toContain('/agents/ghost');
    });

    it('labels requests that match no route as unmatched, not by their URL', async () => {
      const app = buildApp();
      await request(app).get('/random/path/123').expect(404);

      const res = await request(app).get('/metrics');

      expect(res.text).toMatch(/^http_request_duration_seconds_count\{(?=[^}]*route="unmatched")(?=[^}]*status_code="404")[^}]*\} 1$/m);
      expect(res.text).not.toContain('/random/path/123');
    });

    it('keeps each app’s metrics in its own registry', async () => {
      const first = buildApp();
      const second = buildApp();
      await request(first).get('/items/1').expect(200);

      const res = await request(second).get('/metrics');

      expect(res.text).not.toContain('route="/items/:id"');
    });
  });

  describe('request id', () => {
    it('echoes a well-formed X-Request-Id', async () => {
      const res = await request(buildApp()).get('/items/1').set('X-Request-Id', 'gw:abc-123_4.5');

      expect(res.headers['x-request-id']).toBe('gw:abc-123_4.5');
    });

    it.each([
      ['contains spaces', 'abc 123'],
      ['is 500 characters long', 'a'.repeat(500)],
      ['holds a character outside the allowed set', 'abc%0d%0aSet-Cookie:x'],
    ])('replaces an X-Request-Id that %s', async (_why, incoming) => {
      const res = await request(buildApp()).get('/boom').set('X-Request-Id', incoming);

      expect(res.headers['x-request-id']).toMatch(GENERATED_ID);
      expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    });

    it('makes a fresh id for each request that brings none', async () => {
      const app = buildApp();
      const first = await request(app).get('/items/1');
      const second = await request(app).get('/items/1');

      expect(first.headers['x-request-id']).toMatch(GENERATED_ID);
      expect(second.headers['x-request-id']).toMatch(GENERATED_ID);
      expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    });
  });

  describe('logging', () => {
    it('puts the request id on every line logged during a request, across awaits', async () => {
      const { logger, lines } = captureLogs();
      const app = buildApp({ logger, requestLog: { mode: 'all' } });

      await request(app).post('/logged').set('X-Request-Id', 'trace-log-1').send({ a: 1 }).expect(200);
      await request(app).get('/logged-failure').set('X-Request-Id', 'trace-log-2').expect(500);
      await waitForLine(lines, (l) => l['message'] === 'request' && l['status'] === 500);

      const first = lines.filter((l) => l['requestId'] === 'trace-log-1').map((l) => l['message']);
      const second = lines.filter((l) => l['requestId'] === 'trace-log-2').map((l) => l['message']);
      expect(first).toEqual(['before await', 'after await', 'request']);
      expect(second).toEqual(['about to fail', 'request failed', 'request']);
      expect(lines).toHaveLength(6);
      expect(lines.every((l) => l['service'] === 'svc')).toBe(true);
    });

    it('keeps the request id on lines logged after a slowly arriving body is parsed', async () => {
      const { logger, lines } = captureLogs();
      const app = buildApp({ logger, requestLog: { mode: 'all' } });
      const server = app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      try {
        const address = server.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode('{"a":'));
            await new Promise((resolve) => setTimeout(resolve, 30));
            controller.enqueue(new TextEncoder().encode('1}'));
            controller.close();
          },
        });
        const res = await fetch(`http://127.0.0.1:${port}/logged`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'trace-slow' },
          body,
          duplex: 'half',
        } as RequestInit);
        expect(res.status).toBe(200);
        await waitForLine(lines, (l) => l['message'] === 'request');
        expect(lines.map((l) => [l['message'], l['requestId']])).toEqual([
          ['before await', 'trace-slow'],
          ['after await', 'trace-slow'],
          ['request', 'trace-slow'],
        ]);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('logs one request line with method, path, status and duration but no header, body or query', async () => {
      const { logger, lines, text } = captureLogs();
      const app = buildApp({ logger, requestLog: { mode: 'all' } });

      await request(app)
        .post('/logged?api_key=query-secret-42')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Cookie', 'session=cookie-secret-43')
        .send({ password: 'body-secret-44' })
        .expect(200);

      const line = await waitForLine(lines, (l) => l['message'] === 'request');
      expect(line).toMatchObject({ level: 'http', method: 'POST', path: '/logged', status: 200, durationMs: expect.any(Number) });
      for (const secret of [TOKEN, 'query-secret-42', 'api_key', 'cookie-secret-43', 'body-secret-44']) {
        expect(text()).not.toContain(secret);
      }
    });

    it('logs client errors at warn and server errors at error', async () => {
      const { logger, lines } = captureLogs();
      const app = buildApp({ logger });

      await request(app).get('/agents/ghost').expect(404);
      await request(app).get('/boom').expect(500);

      await waitForLine(lines, (l) => l['message'] === 'request' && l['status'] === 500);
      const levels = lines.filter((l) => l['message'] === 'request').map((l) => [l['status'], l['level']]);
      expect(levels).toEqual([
        [404, 'warn'],
        [500, 'error'],
      ]);
    });

    it('logs a successful request at debug by default, so the usual http level leaves it out', async () => {
      const { logger, lines } = captureLogs();
      const app = buildApp({ logger, requestLog: { mode: 'errors' } });

      await request(app).get('/items/1').set('X-Request-Id', 'trace-ok').expect(200);
      await request(app).get('/agents/ghost').set('X-Request-Id', 'trace-404').expect(404);
      await waitForLine(lines, (l) => l['message'] === 'request' && l['status'] === 404);
      const seen = lines.filter((l) => l['message'] === 'request').map((l) => [l['status'], l['level'], l['requestId']]);
      expect(seen).toEqual([
        [200, 'debug', 'trace-ok'],
        [404, 'warn', 'trace-404'],
      ]);
      logger.level = 'http';
      await request(app).get('/items/2').expect(200);
      await request(app).get('/agents/ghost').expect(404);
      await waitForLine(lines, (l) => l['message'] === 'request' && l['path'] === '/agents/ghost' && l['requestId'] !== 'trace-404');
      expect(lines.filter((l) => l['message'] === 'request')).toHaveLength(3);
    });

    it('logs one successful request in `sampleEvery` at http in sample mode', async () => {
      const { logger, lines } = captureLogs();
      logger.level = 'http';
      const app = buildApp({ logger, requestLog: { mode: 'sample', sampleEvery: 3 } });

      for (let i = 0; i < 7; i += 1) await request(app).get(`/items/${i}`).expect(200);
      await waitForLine(lines, (l) => l['path'] === '/items/6');
      expect(lines.filter((l) => l['message'] === 'request').map((l) => l['path'])).toEqual(['/items/0', '/items/3', '/items/6']);
    });

    it('takes the mode from NEXUS_REQUEST_LOG, errors only when unset, and refuses any other value', () => {
      expect(requestLogMode({})).toBe('errors');
      expect(requestLogMode({ NEXUS_REQUEST_LOG: 'all' })).toBe('all');
      expect(requestLogMode({ NEXUS_REQUEST_LOG: 'sample' })).toBe('sample');
      expect(() => requestLogMode({ NEXUS_REQUEST_LOG: 'everything' })).toThrow(/NEXUS_REQUEST_LOG must be one of all, sample, errors/);
    });
  });

  it('sends no X-Powered-By or ETag header', async () => {
    const res = await request(buildApp()).get('/items/1');

    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['etag']).toBeUndefined();
  });
});
