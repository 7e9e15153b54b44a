import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { LoggerClient, LogOutbox } from '@nexus/clients';
import { createSilentLogger } from '@nexus/service-kit';
import {
  TEST_TOKENS,
  startServiceProcess,
  testCredentialEnv,
  waitFor,
  type ServiceProcess,
  type WaitForOptions,
} from '@nexus/service-kit/testing';
import { createOutboxStore, openDatabase, type OpenDatabaseOptions, type OutboxStore, type OutboxTables } from '@nexus/stores';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { CALLERS_ACCEPTED_BY, type LogEvent, type LoggedEvent } from '@nexus/types';
import { at, decisionEvent, transactionEvent } from './testing/events';

/**
 * docs/architecture.md §2 step 8 end to end: a sender's LogOutbox on a real outbox store
 * (SQLite, and PostgreSQL) delivering to the real logger service running as
 * a child process, through the logger's outages and the sender's restarts.
 */

jest.setTimeout(90_000);

/** the sender is the gateway */
const TOKEN = TEST_TOKENS.gateway;
const END_OF_TIME = new Date(8.64e15);

let sequence = 0;
/** Events in the order a gateway would record them: alternately decisions and payments, each a millisecond later. */
function events(prefix: string, count: number): LogEvent[] {
  return Array.from({ length: count }, (_, index) => {
    sequence += 1;
    const id = `${prefix}-${index}`;
    return index % 2 === 0 ? decisionEvent(id, { occurredAt: at(sequence) }) : transactionEvent(id, { occurredAt: at(sequence) });
  });
}

/** Waits for what the system reaches by itself (the relay runs in the background); the test's timeout is the limit. */
const EVENTUALLY: WaitForOptions = { timeoutMs: 90_000, intervalMs: 20 };

/** Everything the logger holds, through its API, oldest first. */
async function loggedEvents(client: LoggerClient): Promise<LoggedEvent[]> {
  const all: LoggedEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.query({ limit: 500, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all.reverse();
}

const withoutRecordedAt = ({ recordedAt: _recordedAt, ...event }: LoggedEvent): LogEvent => event;

/**
 * Every recorded event is in the logger once, as recorded, and was stored no
 * earlier than any event recorded before it (the logger stamps `recordedAt`
 * when a batch arrives, so later batches have later stamps).
 */
function expectDeliveredOnceInOrder(logged: LoggedEvent[], recorded: LogEvent[]): void {
  expect(logged.map(withoutRecordedAt)).toEqual(recorded);
  const stamps = logged.map((event) => Date.parse(event.recordedAt));
  expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
}

describe.each(['sqlite', 'postgres'] as const)('log outbox on %s delivering to the real logger', (dialect) => {
  let loggerDataDir: string;
  let port: number;
  let logger: ServiceProcess | undefined;
  let client: LoggerClient;
  let location: OpenDatabaseOptions;
  let postgres: TemporaryPostgres | undefined;
  let store: OutboxStore | undefined;
  let outbox: LogOutbox | undefined;

  const startLogger = async () => {
    logger = await startServiceProcess({
      app: 'logger',
      port,
      env: { ...testCredentialEnv('logger', CALLERS_ACCEPTED_BY.logger), NEXUS_DATA_DIR: loggerDataDir },
    });
  };
  const stopLogger = async () => {
    await logger?.stop();
    logger = undefined;
  };
  /** The sender side: the outbox store and a running relay on it. */
  const openSender = async () => {
    store = await createOutboxStore(openDatabase<OutboxTables>(location));
    outbox = new LogOutbox({
      queue: store,
      sink: new LoggerClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN }),
      logger: createSilentLogger(),
      backoff: { initialDelayMs: 20, maxDelayMs: 200 },
      // small batches, so the order of batches shows in the logger's recordedAt stamps
      batchSize: 10,
    }).start();
    return { store, outbox };
  };
  const closeSender = async () => {
    await outbox?.close({ timeoutMs: 2_000 });
    await store?.close();
    outbox = undefined;
    store = undefined;
  };
  const pendingIs = (count: number) => async () => (await (outbox as LogOutbox).counts()).pending === count;

  beforeEach(async () => {
    loggerDataDir = mkdtempSync(join(tmpdir(), 'logger-outbox-'));
    port = await freePort();
    client = new LoggerClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN });
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_outbox_delivery') : undefined;
    location = postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'sender-')), 'outbox.sqlite') };
  });
  afterEach(async () => {
    await closeSender();
    await stopLogger();
    await postgres?.drop();
  });

  it('delivers while the logger is up, keeps recording through its outage, and after its restart has every event once and in order', async () => {
    await startLogger();
    const { outbox: relay, store: queue } = await openSender();
    const before = events('up', 6);
    for (const event of before) await relay.record(event);
    await waitFor('nothing pending in the outbox', pendingIs(0), EVENTUALLY);
    expect((await loggedEvents(client)).map(withoutRecordedAt)).toEqual(before);

    await stopLogger();
    const during = events('down', 340);
    await relay.record(during.slice(0, 1));
    await relay.record(during.slice(1, 300));
    for (const event of during.slice(300)) await expect(relay.record(event)).resolves.toEqual({ added: 1 });
    // the relay has tried, and failed, while the logger was down
    await waitFor('two failed attempts', async () => ((await queue.due('logger', 1, END_OF_TIME))[0]?.attempts ?? 0) >= 2, EVENTUALLY);
    expect(await relay.counts()).toEqual({ pending: 340, dead: 0 });

    await startLogger();
    await waitFor('nothing pending in the outbox', pendingIs(0), EVENTUALLY);

    expectDeliveredOnceInOrder(await loggedEvents(client), [...before, ...during]);
    expect(await client.stats()).toMatchObject({ policy: { total: 173 }, transactions: { total: 173 } });
  });

  it('loses nothing when the sender restarts with events the logger has not got', async () => {
    await startLogger();
    let { outbox: relay } = await openSender();
    const first = events('first', 4);
    await relay.record(first);
    await waitFor('nothing pending in the outbox', pendingIs(0), EVENTUALLY);

    await stopLogger();
    const undelivered = events('waiting', 25);
    await relay.record(undelivered);
    await expect(relay.flush()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await closeSender();

    ({ outbox: relay } = await openSender());
    expect(await relay.counts()).toEqual({ pending: 25, dead: 0 });
    const after = events('after', 3);
    await relay.record(after);
    await startLogger();
    await waitFor('nothing pending in the outbox', pendingIs(0), EVENTUALLY);

    expectDeliveredOnceInOrder(await loggedEvents(client), [...first, ...undelivered, ...after]);
  });

  it('sets aside an event the logger refuses as a conflict and delivers the others', async () => {
    await startLogger();
    const { outbox: relay, store: queue } = await openSender();
    const original = decisionEvent('taken', { occurredAt: at(0) });
    await client.postEvents([original]);
    const recorded = events('batch', 11);
    const impostor = decisionEvent('taken', { occurredAt: at(0), message: 'another event under a used id' });

    await relay.record([...recorded.slice(0, 5), impostor, ...recorded.slice(5)]);
    await relay.flush();

    expect((await loggedEvents(client)).map(withoutRecordedAt)).toEqual([original, ...recorded]);
    expect(await relay.counts()).toEqual({ pending: 0, dead: 1 });
    expect(await queue.listDead('logger', 10)).toEqual([
      expect.objectContaining({ id: 'taken', reason: expect.stringContaining('EVENT_CONFLICT'), payload: JSON.stringify(impostor) }),
    ]);
  });
});
