import { Writable } from 'node:stream';
import winston from 'winston';
import { createServiceApp } from './create-service-app';
import { createLogger, createSilentLogger, type Logger } from './logger';
import { serve, type RunningService } from './serve';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** An app whose `GET /slow` enters, says so, and answers only when released. */
function slowApp(logger: Logger) {
  const entered = deferred();
  const release = deferred();
  const app = createServiceApp({
    name: 'svc',
    logger,
    routes: (router) => {
      router.get('/slow', async (_req, res) => {
        entered.resolve();
        await release.promise;
        res.json({ done: true });
      });
      router.get('/hang', () => {
        entered.resolve(); // never answers
      });
    },
  });
  return { app, entered, release };
}

const settled = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 50))]);

const running: RunningService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.shutdown('test over')));
});

async function start(app: Parameters<typeof serve>[0], options: Partial<Parameters<typeof serve>[1]> = {}) {
  const service = await serve(app, { port: 0, logger: createSilentLogger(), ...options });
  running.push(service);
  return service;
}

describe('serve', () => {
  it('listens on an ephemeral loopback port and answers', async () => {
    const { app } = slowApp(createSilentLogger());

    const service = await start(app);

    expect(service.port).toBeGreaterThan(0);
    expect(service.server.address()).toMatchObject({ address: '127.0.0.1', port: service.port });
    const res = await fetch(`http://127.0.0.1:${service.port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'svc' });
  });

  it('logs the port it listens on', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const logger = createLogger('svc', { transports: [new winston.transports.Stream({ stream })] });

    const service = await start(slowApp(logger).app, { logger });
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines).toContainEqual(expect.objectContaining({ message: 'listening', host: '127.0.0.1', port: service.port }));
  });

  it('lets an in-flight request finish before shutdown resolves, then runs onShutdown', async () => {
    const { app, entered, release } = slowApp(createSilentLogger());
    const events: string[] = [];
    const service = await start(app, { onShutdown: () => void events.push('onShutdown') });

    const response = fetch(`http://127.0.0.1:${service.port}/slow`).then(async (res) => {
      events.push(`response ${res.status}`);
      return (await res.json()) as unknown;
    });
    await entered.promise;
    const stopped = service.shutdown('test').then(() => void events.push('stopped'));

    expect(await settled(stopped)).toBe(false);
    expect(events).toEqual([]);
    release.resolve();
    await stopped;

    expect(await response).toEqual({ done: true });
    expect(events).toEqual(['response 200', 'onShutdown', 'stopped']);
    expect(service.server.listening).toBe(false);
  });

  it('resolves promptly once the in-flight request is done, without waiting for the client to drop its keep-alive connection', async () => {
    const { app, entered, release } = slowApp(createSilentLogger());
    const service = await start(app);

    const response = fetch(`http://127.0.0.1:${service.port}/slow`); // fetch keeps connections alive
    await entered.promise;
    const stopped = service.shutdown('test');
    release.resolve();
    const releasedAt = Date.now();
    await stopped;

    expect(Date.now() - releasedAt).toBeLessThan(1_000);
    expect((await response).status).toBe(200);
  });

  it('resolves promptly when a keep-alive connection is idle', async () => {
    const service = await start(slowApp(createSilentLogger()).app);
    await (await fetch(`http://127.0.0.1:${service.port}/health`)).text();

    const before = Date.now();
    await service.shutdown('test');

    expect(Date.now() - before).toBeLessThan(1_000);
  });

  it('refuses new connections once shut down', async () => {
    const service = await start(slowApp(createSilentLogger()).app);

    await service.shutdown('test');

    await expect(fetch(`http://127.0.0.1:${service.port}/health`)).rejects.toThrow();
  });

  it('calls onShutdown once even when shutdown is called twice', async () => {
    const onShutdown = jest.fn(async () => undefined);
    const service = await start(slowApp(createSilentLogger()).app, { onShutdown });

    const first = service.shutdown('first');
    const second = service.shutdown('second');
    await Promise.all([first, second]);
    await service.shutdown('third');

    expect(second).toBe(first);
    expect(onShutdown).toHaveBeenCalledTimes(1);
  });

  it('cuts a request that outlives the shutdown timeout', async () => {
    const { app, entered } = slowApp(createSilentLogger());
    const service = await start(app, { shutdownTimeoutMs: 100 });

    const response = fetch(`http://127.0.0.1:${service.port}/hang`);
    await entered.promise;
    const before = Date.now();
    await service.shutdown('test');

    expect(Date.now() - before).toBeLessThan(2_000);
    await expect(response).rejects.toThrow();
  });

  it('takes SIGTERM and SIGINT while running and lets go of them once stopped', async () => {
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };

    const service = await start(slowApp(createSilentLogger()).app);
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);

    await service.shutdown('test');
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('SIGINT')).toBe(before.int);
  });

  it('rejects when the port is taken', async () => {
    const first = await start(slowApp(createSilentLogger()).app);
    const listenersBefore = process.listenerCount('SIGTERM');

    await expect(serve(slowApp(createSilentLogger()).app, { port: first.port, logger: createSilentLogger() })).rejects.toThrow(
      /EADDRINUSE/,
    );
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });
});
