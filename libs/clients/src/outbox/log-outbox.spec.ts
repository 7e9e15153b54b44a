import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import winston from 'winston';
import { createLogger } from '@nexus/service-kit';
import { listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';
import { LoggerClient } from '../logger-client';
import { InvalidLogEventError } from './log-event-entry';
import { LogOutbox, type LogOutboxOptions } from './log-outbox';
import { FakeLogger } from './testing/fake-logger';
import { decisionEvent, decisionEvents, transactionEvent } from './testing/log-events';
import { MemoryOutboxQueue } from './testing/memory-outbox-queue';

const TOKEN = 'internal-token';
const FAST_BACKOFF = { initialDelayMs: 1, maxDelayMs: 5 };
const ids = (events: readonly { id: string }[]) => events.map((event) => event.id);

/** Log lines the outbox wrote, parsed. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('test', { level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines };
}

describe('LogOutbox', () => {
  let fake: FakeLogger;
  let server: LoopbackServer;
  let queue: MemoryOutboxQueue;
  let outboxes: LogOutbox[];
  let log: ReturnType<typeof capturingLogger>;

  const outbox = (options: Partial<LogOutboxOptions> = {}, token = TOKEN) => {
    const created = new LogOutbox({
      queue,
      sink: new LoggerClient({ baseUrl: server.url, token, timeoutMs: 2_000 }),
      logger: log.logger,
      backoff: FAST_BACKOFF,
      ...options,
    });
    outboxes.push(created);
    return created;
  };

  beforeEach(async () => {
    fake = new FakeLogger(TOKEN);
    server = await listenOnLoopback(fake.app);
    queue = new MemoryOutboxQueue();
    outboxes = [];
    log = capturingLogger();
  });
  afterEach(async () => {
    await Promise.all(outboxes.map((created) => created.close({ timeoutMs: 1_000 })));
    await server.close();
  });

  it('returns from record once the events are stored, before the logger has them', async () => {
    fake.hold();
    const relay = outbox().start();

    await expect(relay.record(decisionEvents('ev', 3))).resolves.toEqual({ added: 3 });
    expect(await relay.counts()).toEqual({ pending: 3, dead: 0 });
    expect(fake.stored).toEqual([]);

    fake.release();
    await fake.storedAtLeast(3);
    expect(fake.storedIds).toEqual(['ev-0', 'ev-1', 'ev-2']);
  });

  it('delivers in the order recorded, in batches of at most 500, and empties the queue', async () => {
    const relay = outbox();
    const recorded = [...decisionEvents('a', 700), ...decisionEvents('b', 3), ...decisionEvents('c', 531)];
    await relay.record(recorded.slice(0, 700));
    await relay.record(recorded.slice(700, 703));
    await relay.record(recorded.slice(703));

    relay.start();
    await fake.storedAtLeast(recorded.length);

    expect(fake.storedIds).toEqual(ids(recorded));
    expect(fake.posts.map((post) => post.length)).toEqual([500, 500, 234]);
    await relay.flush();
    expect(await relay.counts()).toEqual({ pending: 0, dead: 0 });
  });

  it('wakes as soon as an event is recorded, not at its next look', async () => {
    const relay = outbox({ idlePollMs: 3_600_000 }).start();
    await relay.flush();

    await relay.record(transactionEvent('tx-1'));
    await fake.storedAtLeast(1);
    await relay.record(transactionEvent('tx-2'));
    await fake.storedAtLeast(2);

    expect(fake.storedIds).toEqual(['tx-1', 'tx-2']);
  });

  it('keeps events while the logger fails, backs off, and delivers each once when it answers again', async () => {
    const registry = new Registry();
    fake.failures.push(503, 503, 500);
    const relay = outbox({ registry }).start();

    await relay.record(decisionEvents('ev', 4));
    await relay.record(decisionEvent('late'));
    await fake.storedAtLeast(5);
    await relay.flush();

    expect(fake.storedIds).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-3', 'late']);
    expect(fake.posts.length).toBeGreaterThanOrEqual(4);
    const metrics = await registry.getSingleMetricAsString('outbox_delivery_failures_total');
    expect(metrics).toContain('outbox_delivery_failures_total{topic="logger"} 3');
    expect(log.lines.filter((line) => line['level'] === 'warn')).toHaveLength(3);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'logger reachable again; delivering the outbox' }));
  });

  it('records and keeps events while nothing listens, and delivers them when the logger is back on its port', async () => {
    const port = server.port;
    await server.close();
    const relay = outbox();

    await relay.record(decisionEvents('ev', 3));
    await expect(relay.flush()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', failure: 'unreachable' });
    expect(await relay.counts()).toEqual({ pending: 3, dead: 0 });
    expect(queue.rows[0]).toMatchObject({ attempts: 1, lastError: expect.stringContaining('UPSTREAM_UNAVAILABLE') });

    server = await listenOnLoopback(fake.app, port);
    await relay.flush();
    expect(fake.storedIds).toEqual(['ev-0', 'ev-1', 'ev-2']);
    expect(await relay.counts()).toEqual({ pending: 0, dead: 0 });
  });

  it('sets aside the event the logger refuses and delivers the rest in order', async () => {
    const registry = new Registry();
    const relay = outbox({ registry });
    await new LoggerClient({ baseUrl: server.url, token: TOKEN }).postEvents([decisionEvent('ev-4', { message: 'the first ev-4' })]);
    const recorded = decisionEvents('ev', 9);

    await relay.record(recorded);
    await relay.flush();

    expect(fake.storedIds).toEqual(['ev-4', ...ids(recorded).filter((id) => id !== 'ev-4')]);
    expect(await relay.counts()).toEqual({ pending: 0, dead: 1 });
    expect(queue.rows).toEqual([
      expect.objectContaining({ id: 'ev-4', state: 'dead', lastError: expect.stringContaining('EVENT_CONFLICT') }),
    ]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 'error', eventIds: ['ev-4'], reason: expect.stringContaining('EVENT_CONFLICT') }),
    );
    expect(await registry.getSingleMetricAsString('outbox_dead_messages')).toContain('outbox_dead_messages{topic="logger"} 1');
    // found by halving: far fewer posts than one per event
    expect(fake.posts.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(9)));
  });

  it('sets aside a stored message that is not a log event', async () => {
    const relay = outbox();
    await relay.record(decisionEvent('ev-0'));
    await queue.enqueue('logger', [{ id: 'garbled', payload: '{"kind":"decision"' }], new Date());
    await relay.record(decisionEvent('ev-2'));

    await relay.flush();

    expect(fake.storedIds).toEqual(['ev-0', 'ev-2']);
    expect(await relay.counts()).toEqual({ pending: 0, dead: 1 });
  });

  it('stores nothing of a record holding an event that is not the contract, and says which field', async () => {
    const relay = outbox();
    const bad = { ...decisionEvent('ev-1'), amount: '0.0000001' };

    const error = await relay.record([decisionEvent('ev-0'), bad]).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(InvalidLogEventError);
    expect((error as InvalidLogEventError).details).toEqual([{ path: 'events.1.amount', message: expect.any(String) }]);
    expect(await relay.counts()).toEqual({ pending: 0, dead: 0 });
  });

  it('records an id once while it waits', async () => {
    const relay = outbox();
    expect(await relay.record([decisionEvent('ev-0'), decisionEvent('ev-0')])).toEqual({ added: 1 });
    expect(await relay.record(decisionEvent('ev-0'))).toEqual({ added: 0 });
    expect(await relay.record([])).toEqual({ added: 0 });
  });

  it('retries, never sets aside, events the logger refuses for a wrong token, and logs an error', async () => {
    const relay = outbox({}, 'wrong-token');
    await relay.record(decisionEvent('ev-0'));

    await expect(relay.flush()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    expect(await relay.counts()).toEqual({ pending: 1, dead: 0 });
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', error: expect.stringContaining('UNAUTHORIZED') }));
  });

  it('closes without hanging on a logger that never answers, keeping what it could not deliver', async () => {
    fake.hold();
    const relay = outbox({ requestTimeoutMs: 3_600_000 }).start();
    await relay.record(decisionEvents('ev', 2));
    await new Promise<void>((resolve) => {
      const check = () => (fake.posts.length > 0 ? resolve() : setImmediate(check));
      check();
    });

    await relay.close({ timeoutMs: 200 });

    expect(await relay.counts()).toEqual({ pending: 2, dead: 0 });
    await expect(relay.record(decisionEvent('after'))).rejects.toThrow('closed');
    await expect(relay.flush()).rejects.toThrow('closed');
    fake.release();
  });

  it('delivers what is pending on close when the logger answers', async () => {
    const relay = outbox({ idlePollMs: 3_600_000 });
    await relay.record(decisionEvents('ev', 3));

    await relay.close();

    expect(fake.storedIds).toEqual(['ev-0', 'ev-1', 'ev-2']);
  });

  it('shows pending events on the registry', async () => {
    const registry = new Registry();
    const relay = outbox({ registry });
    await relay.record(decisionEvents('ev', 2));

    expect(await registry.getSingleMetricAsString('outbox_pending_messages')).toContain('outbox_pending_messages{topic="logger"} 2');
    await relay.flush();
    expect(await registry.getSingleMetricAsString('outbox_pending_messages')).toContain('outbox_pending_messages{topic="logger"} 0');
    expect(await registry.getSingleMetricAsString('outbox_delivered_total')).toContain('outbox_delivered_total{topic="logger"} 2');
  });
});
