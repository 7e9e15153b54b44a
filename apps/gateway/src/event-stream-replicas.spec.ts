import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import {
  listenOnLoopback,
  startServiceProcess,
  testCredentialEnv,
  type LoopbackServer,
  type ServiceProcess,
  type SseStream,
} from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { startBackingStack, type BackingStack } from './testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from './testing/gateway-under-test';
import { eventsOf, ofDecision, openGatewayStream, paidCall } from './testing/stream-probes';

jest.setTimeout(180_000);

/**
 * Two gateway replicas on one PostgreSQL store, each in front of its own
 * logger process, the two loggers on one PostgreSQL event log: an event
 * stored through one logger reaches streams served by the other only through
 * LISTEN/NOTIFY.
 */
describe('the event stream across replicas on PostgreSQL', () => {
  let loggerDb: TemporaryPostgres;
  let gatewayDb: TemporaryPostgres;
  let stack: BackingStack;
  let loggerB: ServiceProcess;
  let gwA: GatewayUnderTest;
  let gwB: GatewayUnderTest;
  let serverA: LoopbackServer;
  let serverB: LoopbackServer;
  const streams: SseStream[] = [];
  const open = async (server: LoopbackServer, query: string, headers: Record<string, string>) => {
    const stream = await openGatewayStream(server.url, query, headers);
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    [loggerDb, gatewayDb] = await Promise.all([createTemporaryPostgres('nexus_stream_log'), createTemporaryPostgres('nexus_stream_gw')]);
    stack = await startBackingStack({ env: { LOGGER_DATABASE_URL: loggerDb.url } });
    loggerB = await startServiceProcess({
      app: 'logger',
      port: await freePort(),
      env: {
        ...testCredentialEnv('logger', CALLERS_ACCEPTED_BY.logger),
        LOGGER_DATABASE_URL: loggerDb.url,
        NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'nexus-logger-b-')),
      },
    });
    gwA = await createGatewayUnderTest(stack, { env: { GATEWAY_DATABASE_URL: gatewayDb.url } });
    gwB = await createGatewayUnderTest(stack, {
      env: { GATEWAY_DATABASE_URL: gatewayDb.url, LOGGER_URL: loggerB.url },
      keys: { adminKey: gwA.adminKey, agentKeys: gwA.agentKeys },
    });
    [serverA, serverB] = await Promise.all([listenOnLoopback(gwA.gateway.app), listenOnLoopback(gwB.gateway.app)]);
  }, 180_000);
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    await Promise.all([serverA?.close(), serverB?.close()]);
    await Promise.all([gwA?.close(), gwB?.close()]);
    await loggerB?.stop();
    await stack?.stopAll();
    await Promise.all([loggerDb?.drop(), gatewayDb?.drop()]);
  });

  it('shows a paid call made through replica A on a stream opened on replica B, whose logger is another process', async () => {
    const onB = await open(serverB, '?types=decision,payment', gwA.auth('admin'));
    const onA = await open(serverA, '?types=decision,payment', gwA.auth('admin'));
    await onB.until('the retry hint', (s) => s.text().length > 0);

    const throughA = await paidCall(gwA, 'user-agent');
    const served = Date.now();
    await onB.until('the call made through A', (s) => ofDecision(s, throughA.decision.id).length === 2, 2_000);
    expect(Date.now() - served).toBeLessThan(1_000);

    const throughB = await paidCall(gwB, 'batch-agent');
    await onA.until('the call made through B', (s) => ofDecision(s, throughB.decision.id).length === 2, 2_000);
    await onB.until('the call made through B', (s) => ofDecision(s, throughB.decision.id).length === 2, 2_000);
    // one log, one order: both replicas give the same ids for the same events
    const idsOf = (stream: SseStream) => eventsOf(stream).map((event, index) => `${stream.messages[index]?.id}:${event.eventId}`);
    expect(idsOf(onA)).toEqual(idsOf(onB));
  });

  it('takes on replica B a ticket issued by replica A, once', async () => {
    const { ticket } = (await gwA.http.post('/events/tickets').set(gwA.auth('user-agent')).expect(201)).body as { ticket: string };
    const onB = await open(serverB, `?ticket=${encodeURIComponent(ticket)}`, {});
    expect(onB.status).toBe(200);
    expect((await open(serverA, `?ticket=${encodeURIComponent(ticket)}`, {})).status).toBe(401);

    const mine = await paidCall(gwA, 'user-agent');
    const theirs = await paidCall(gwA, 'batch-agent');
    await onB.until("the agent's own call", (s) => ofDecision(s, mine.decision.id).length === 2, 2_000);
    expect(ofDecision(onB, theirs.decision.id)).toEqual([]);
  });
});
