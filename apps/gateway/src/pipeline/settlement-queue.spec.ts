import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { PolicyClient } from '@nexus/clients';
import { TestGrantIssuer } from '@nexus/clients/testing';
import { createLogger } from '@nexus/service-kit';
import { TEST_TOKENS, findWorkspaceRoot, startServiceProcess, testCredentialEnv, type ServiceProcess } from '@nexus/service-kit/testing';
import { createOutboxStore, openDatabase, type OutboxStore, type OutboxTables, type Database } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { SETTLEMENT_TOPIC, SettlementQueue } from './settlement-queue';

jest.setTimeout(60_000);

const TOKEN = TEST_TOKENS.gateway;

describe('the settlement queue', () => {
  let policyProcess: ServiceProcess;
  let port: number;
  let dataDir: string;
  let policy: PolicyClient;
  let database: Database<OutboxTables>;
  let store: OutboxStore;
  let queue: SettlementQueue;
  const startPolicy = async () => {
    policyProcess = await startServiceProcess({
      app: 'policy',
      port,
      env: {
        ...testCredentialEnv('policy', CALLERS_ACCEPTED_BY.policy),
        NEXUS_DATA_DIR: dataDir,
        NEXUS_CONFIG_DIR: join(findWorkspaceRoot(), 'config'),
        ...new TestGrantIssuer().policyEnv,
      },
    });
  };
  const hold = async (key: string) => {
    const decision = await policy.decide({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', idempotencyKey: key });
    if (!decision.reservationId) throw new Error('expected a hold');
    return decision.reservationId;
  };

  beforeAll(async () => {
    port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'nexus-settlements-'));
    await startPolicy();
    policy = new PolicyClient({
      baseUrl: policyProcess.url,
      token: TOKEN,
      timeoutMs: 2_000,
      retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
    });
  });
  afterAll(async () => {
    await policyProcess.stop();
  });
  beforeEach(async () => {
    database = openDatabase<OutboxTables>({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-settlement-queue-')), 'gateway.sqlite') });
    store = await createOutboxStore(database);
    queue = new SettlementQueue({
      queue: store,
      policy,
      logger: createLogger('gateway', { level: 'error' }),
      backoff: { initialDelayMs: 1, maxDelayMs: 2 },
    });
  });
  afterEach(async () => {
    await queue.close();
    await database.close();
  });

  it('keeps a commit while the policy is down and makes it once the policy is back', async () => {
    const reservationId = await hold(`commit-${Date.now()}`);
    await policyProcess.stop();
    await queue.defer({ action: 'commit', reservationId, amount: '0.05' });
    await queue.drain();
    expect(await store.counts(SETTLEMENT_TOPIC)).toEqual({ pending: 1, dead: 0 });

    await startPolicy();
    await new Promise((resolve) => setTimeout(resolve, 10)); // past the (2 ms) backoff
    await queue.drain();
    expect(await store.counts(SETTLEMENT_TOPIC)).toEqual({ pending: 0, dead: 0 });
    expect(await policy.getReservation(reservationId)).toMatchObject({ status: 'COMMITTED', committedAmount: '0.05' });
  });

  it('releases a hold it was asked to release, once, even when deferred twice', async () => {
    const reservationId = await hold(`release-${Date.now()}`);
    await queue.defer({ action: 'release', reservationId, reason: 'payment service down' });
    await queue.defer({ action: 'release', reservationId, reason: 'payment service down' });
    await queue.drain();
    expect(await store.counts(SETTLEMENT_TOPIC)).toEqual({ pending: 0, dead: 0 });
    expect(await policy.getReservation(reservationId)).toMatchObject({ status: 'RELEASED', releaseReason: 'payment service down' });
  });

  it('keeps a settlement the policy refuses for good as dead, not retried', async () => {
    await queue.defer({ action: 'commit', reservationId: 'res_00000000000000000000000000000000', amount: '0.05' });
    await queue.drain();
    await queue.drain();
    expect(await store.counts(SETTLEMENT_TOPIC)).toEqual({ pending: 0, dead: 1 });
  });

  describe('with commits batched (the gateway)', () => {
    let batches: number[];
    let singles: number;
    beforeEach(() => {
      batches = [];
      singles = 0;
      const counting = {
        commit: (...args: Parameters<PolicyClient['commit']>) => {
          singles += 1;
          return policy.commit(...args);
        },
        release: policy.release.bind(policy),
        pin: policy.pin.bind(policy),
        commitMany: (...args: Parameters<PolicyClient['commitMany']>) => {
          batches.push(args[0].length);
          return policy.commitMany(...args);
        },
      };
      queue = new SettlementQueue({
        queue: store,
        policy: counting,
        logger: createLogger('gateway', { level: 'error' }),
        backoff: { initialDelayMs: 1, maxDelayMs: 2 },
        batchCommits: true,
      });
    });

    it('sends the commits due together in one request, and keeps one the policy refuses as dead', async () => {
      const held = [await hold(`batch-a-${Date.now()}`), await hold(`batch-b-${Date.now()}`)];
      for (const reservationId of held) await queue.defer({ action: 'commit', reservationId, amount: '0.05' });
      await queue.defer({ action: 'commit', reservationId: 'res_00000000000000000000000000000001', amount: '0.05' });
      await queue.drain();

      expect({ batches, singles }).toEqual({ batches: [3], singles: 0 });
      expect(await store.counts(SETTLEMENT_TOPIC)).toEqual({ pending: 0, dead: 1 });
      for (const reservationId of held)
        expect(await policy.getReservation(reservationId)).toMatchObject({ status: 'COMMITTED', committedAmount: '0.05' });
    });

    it('keeps a batch while the policy is down and commits it once the policy is back', async () => {
      const held = [await hold(`down-a-${Date.now()}`), await hold(`down-b-${Date.now()}`)];
      await policyProcess.stop();
      for (const reservationId of held) await queue.defer({ action: 'commit', reservationId, amount: '0.05' });
      await queue.drain();
      expect(await store.counts(SETTLEMENT_TOPIC)).toEqual({ pending: 2, dead: 0 });

      await startPolicy();
      await new Promise((resolve) => setTimeout(resolve, 10)); // past the (2 ms) backoff
      await queue.drain();
      expect(await store.counts(SETTLEMENT_TOPIC)).toEqual({ pending: 0, dead: 0 });
      for (const reservationId of held) expect(await policy.getReservation(reservationId)).toMatchObject({ status: 'COMMITTED' });
    });

    it('makes a release on its own beside the batched commits', async () => {
      const [committed, released] = [await hold(`mix-a-${Date.now()}`), await hold(`mix-b-${Date.now()}`)];
      await queue.defer({ action: 'commit', reservationId: committed, amount: '0.05' });
      await queue.defer({ action: 'release', reservationId: released, reason: 'payment failed' });
      await queue.drain();
      expect({ batches, singles }).toEqual({ batches: [1], singles: 0 });
      expect(await policy.getReservation(released)).toMatchObject({ status: 'RELEASED' });
      expect(await policy.getReservation(committed)).toMatchObject({ status: 'COMMITTED' });
    });
  });
});
