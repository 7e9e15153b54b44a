import express, { type Express } from 'express';
import { z } from 'zod';
import { MAX_ANSWER_BYTES, ServiceClient } from './http-client';
import { listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';
import { ServiceCallError } from './service-call-error';

const Thing = z.object({ name: z.string() });
const FAST_RETRY = { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

/** Calls of a loopback service, each with what it got. */
function service(answer: (call: number, req: express.Request, res: express.Response) => void): { app: Express; calls: express.Request[] } {
  const app = express();
  const calls: express.Request[] = [];
  app.use(express.json());
  app.all('/{*path}', (req, res) => {
    calls.push(req);
    answer(calls.length, req, res);
  });
  return { app, calls };
}

const errorBody = (code: string, message: string, details?: { path: string; message: string }[]) => ({ error: { code, message, details } });

async function failure(promise: Promise<unknown>): Promise<ServiceCallError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ServiceCallError)) throw new Error(`expected a ServiceCallError, got ${String(error)}`);
  return error;
}

describe('ServiceClient over real HTTP', () => {
  let server: LoopbackServer | undefined;
  let clients: ServiceClient[] = [];
  const serve = async (app: Express) => {
    server = await listenOnLoopback(app);
    const client = new ServiceClient('thing', { baseUrl: server.url, token: 'secret', retry: FAST_RETRY, timeoutMs: 2_000 });
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
  });

  it('retries a safe call through 503s and returns the answer that follows', async () => {
    const { app, calls } = service((call, _req, res) =>
      call < 3 ? res.status(503).json(errorBody('SERVICE_UNAVAILABLE', 'busy')) : res.json({ name: 'ok' }),
    );
    const client = await serve(app);

    await expect(client.call('GET', '/things/1', Thing, { retry: true })).resolves.toEqual({ name: 'ok' });
    expect(calls).toHaveLength(3);
  });

  it('gives up after its attempts with 503 UPSTREAM_UNAVAILABLE, marked transient', async () => {
    const { app, calls } = service((_call, _req, res) => res.status(503).json(errorBody('SERVICE_UNAVAILABLE', 'down for now')));
    const client = await serve(app);

    const error = await failure(client.call('GET', '/things/1', Thing, { retry: true }));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503, upstreamStatus: 503, failure: 'answered', transient: true });
    expect(error.message).toBe('thing: down for now');
    expect(calls).toHaveLength(3);
  });

  it('turns a 500 into 502 UPSTREAM_ERROR and retries a 429', async () => {
    const { app, calls } = service((call, _req, res) =>
      call === 1 ? res.status(429).json(errorBody('RATE_LIMITED', 'slow down')) : res.status(500).json(errorBody('INTERNAL_ERROR', 'bug')),
    );
    const client = await serve(app);

    await expect(failure(client.call('GET', '/x', Thing, { retry: true }))).resolves.toMatchObject({
      code: 'UPSTREAM_ERROR',
      status: 502,
      upstreamStatus: 500,
    });
    expect(calls).toHaveLength(3);
  });

  it('sends a call that is not safe to repeat once, whatever the answer', async () => {
    const { app, calls } = service((_call, _req, res) => res.status(503).json(errorBody('SERVICE_UNAVAILABLE', 'busy')));
    const client = await serve(app);

    await expect(failure(client.call('POST', '/things', Thing, { body: { name: 'a' } }))).resolves.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(1);
  });

  it('retries a call whose connection was cut before an answer', async () => {
    const { app, calls } = service((call, req, res) => (call === 1 ? req.socket.destroy() : res.json({ name: 'second time' })));
    const client = await serve(app);

    await expect(client.call('GET', '/things/1', Thing, { retry: true })).resolves.toEqual({ name: 'second time' });
    expect(calls).toHaveLength(2);
  });

  it('says 503 UPSTREAM_UNAVAILABLE when nothing listens (connection refused)', async () => {
    const client = await serve(express());
    const url = server?.url ?? '';
    await server?.close();
    server = undefined;

    const error = await failure(new ServiceClient('thing', { baseUrl: url, retry: FAST_RETRY }).call('GET', '/x', Thing, { retry: true }));
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      failure: 'unreachable',
      upstreamStatus: undefined,
      transient: true,
    });
    expect(error.message).toContain('ECONNREFUSED');
    expect(client.service).toBe('thing');
  });

  it('says 504 UPSTREAM_TIMEOUT when the service does not answer in time', async () => {
    const { app } = service(() => undefined);
    const client = await serve(app);

    const error = await failure(client.call('GET', '/slow', Thing, { timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504, failure: 'timeout', transient: true });
  });

  it('passes a 4xx through with its own code, message and details, and does not retry it', async () => {
    const { app, calls } = service((_call, _req, res) =>
      res
        .status(409)
        .json(errorBody('EVENT_CONFLICT', 'event ev-1 is stored with other content', [{ path: 'events.0.id', message: 'taken' }])),
    );
    const client = await serve(app);

    const error = await failure(client.call('POST', '/events', Thing, { body: {}, retry: true }));
    expect(error).toMatchObject({
      code: 'EVENT_CONFLICT',
      status: 409,
      upstreamStatus: 409,
      failure: 'answered',
      transient: false,
      message: 'event ev-1 is stored with other content',
      details: [{ path: 'events.0.id', message: 'taken' }],
    });
    expect(calls).toHaveLength(1);
  });

  it('says 502 when an answer is not the contract: wrong shape, not JSON, or an error without an error body', async () => {
    const { app } = service((_call, req, res) => {
      if (req.path === '/drift') res.json({ title: 'not a name' });
      else if (req.path === '/html') res.type('html').send('<h1>proxy page</h1>');
      else res.status(404).type('text').send('no such route');
    });
    const client = await serve(app);

    await expect(failure(client.call('GET', '/drift', Thing))).resolves.toMatchObject({
      code: 'UPSTREAM_ERROR',
      status: 502,
      failure: 'bad_response',
    });
    await expect(failure(client.call('GET', '/html', Thing))).resolves.toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    await expect(failure(client.call('GET', '/missing', Thing))).resolves.toMatchObject({
      code: 'UPSTREAM_ERROR',
      status: 502,
      upstreamStatus: 404,
      failure: 'bad_response',
    });
  });

  it('sends the bearer token, the request id, the query and the JSON body', async () => {
    const { app, calls } = service((_call, _req, res) => res.status(201).json({ name: 'made' }));
    const client = await serve(app);

    await client.call('POST', '/things', Thing, { body: { name: 'a' }, query: { limit: 5, skip: undefined }, requestId: 'req-42' });
    const [call] = calls;
    expect(call?.get('authorization')).toBe('Bearer secret');
    expect(call?.get('x-request-id')).toBe('req-42');
    expect(call?.query).toEqual({ limit: '5' });
    expect(call?.body).toEqual({ name: 'a' });
  });

  it('keeps its connections alive: sequential calls reuse them', async () => {
    const { app, calls } = service((_call, _req, res) => res.json({ name: 'again' }));
    const client = await serve(app);
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

    // undici gives a connection back one turn of the event loop after its answer: a call made at once takes the other.
    for (let i = 0; i < 6; i += 1) await client.call('GET', '/things/1', Thing);
    await client.call('GET', '/missing', Thing, { anyStatus: true });
    expect(calls).toHaveLength(7);
    expect(new Set(calls.map((call) => call.socket)).size).toBeLessThanOrEqual(2);

    calls.length = 0;
    for (let i = 0; i < 4; i += 1) {
      await turn();
      await client.call('POST', '/things', Thing, { body: { name: 'a' } });
    }
    expect(new Set(calls.map((call) => call.socket)).size).toBe(1);
  });

  it('says 504 UPSTREAM_TIMEOUT when an answer begun stops coming, and retries it when safe', async () => {
    const { app, calls } = service((call, _req, res) => {
      if (call > 1) return void res.json({ name: 'whole' });
      res.status(200).type('json');
      res.write('{"name":');
    });
    const client = await serve(app);

    const error = await failure(client.call('GET', '/slow', Thing, { timeoutMs: 100 }));
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504, failure: 'timeout', transient: true });
    await expect(client.call('GET', '/slow', Thing, { retry: true, timeoutMs: 100 })).resolves.toEqual({ name: 'whole' });
    expect(calls).toHaveLength(2);
  });

  it('refuses an answer over the size cap as unreadable, without buffering it', async () => {
    const { app } = service((_call, _req, res) => {
      res.status(200).type('json');
      res.end(Buffer.alloc(MAX_ANSWER_BYTES + 1, 0x20));
    });
    const client = await serve(app);

    const error = await failure(client.call('GET', '/huge', Thing));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502, failure: 'bad_response', transient: false });
  });

  it('says 502 when an answer is cut off once begun', async () => {
    const { app } = service((_call, req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"name":', () => req.socket.destroy());
    });
    const client = await serve(app);

    await expect(failure(client.call('GET', '/cut', Thing))).resolves.toMatchObject({ status: 502, failure: 'bad_response' });
  });

  it('does not follow a redirect: it is an answer without an error body', async () => {
    const { app, calls } = service((_call, _req, res) => res.redirect(302, '/elsewhere'));
    const client = await serve(app);

    await expect(failure(client.call('GET', '/moved', Thing))).resolves.toMatchObject({ upstreamStatus: 302, failure: 'bad_response' });
    await expect(client.send('GET', '/moved', { anyStatus: true })).resolves.toMatchObject({ status: 302 });
    expect(calls.map((call) => call.path)).toEqual(['/moved', '/moved']);
  });

  it("calls below the base URL's path, and fails as unreachable once closed", async () => {
    const { app, calls } = service((_call, _req, res) => res.json({ name: 'below' }));
    await serve(app);
    const client = new ServiceClient('thing', { baseUrl: `${server?.url ?? ''}/api/`, retry: FAST_RETRY });

    await expect(client.call('GET', '/things', Thing, { query: { q: 'a b' } })).resolves.toEqual({ name: 'below' });
    expect(calls[0]?.originalUrl).toBe('/api/things?q=a+b');
    await client.close();
    await expect(failure(client.call('GET', '/things', Thing, { retry: true }))).resolves.toMatchObject({ failure: 'unreachable' });
    expect(calls).toHaveLength(1);
  });
});
