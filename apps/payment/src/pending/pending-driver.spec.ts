import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { parseUnits } from 'ethers';
import { MNEEToken__factory } from '@nexus/chain';
import { freePort, startTestChain, type TestChain } from '@nexus/chain/testing';
import { PolicyClient } from '@nexus/clients';
import { TestGrantIssuer } from '@nexus/clients/testing';
import { createSilentLogger } from '@nexus/service-kit';
import { TEST_TOKENS, findWorkspaceRoot, startServiceProcess, testCredentialEnv, type ServiceProcess } from '@nexus/service-kit/testing';
import { createOutboxStore, openDatabase, type Database, type OutboxStore, type OutboxTables } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY, toBaseUnits, type Decision, type LogEvent } from '@nexus/types';
import { auth, createPaymentUnderTest, type PaymentUnderTest } from '../testing/payment-harness';
import { startRpcProxy, type RpcProxy } from '../testing/rpc-proxy';
import { LATE_OUTCOME_TOPIC, OUTCOME_TOPIC, PolicyOutcomeReports } from './outcome-reports';
import { PendingDriver } from './pending-driver';

jest.setTimeout(120_000);

/**
 * The chain drops (or loses) a payment after it was signed: the payment
 * stays PENDING, its hold HELD and counted; the pending driver asks the
 * chain, drives the payment to its end and reports it to the real policy
 * (a process) through the payment service's outbox, so the hold is
 * committed or released.
 */
describe('pending payments driven to their end', () => {
  let chain: TestChain;
  let proxy: RpcProxy;
  let policyProcess: ServiceProcess;
  let policy: PolicyClient;
  let ledgerFile: string;
  let payment: PaymentUnderTest;
  let outboxDatabase: Database<OutboxTables>;
  let outbox: OutboxStore;
  let reports: PolicyOutcomeReports;
  let sequence = 0;
  const logger = createSilentLogger('payment');
  // the policy process signs with these keys, and the payment service under test trusts them
  const grants = new TestGrantIssuer();

  /** what the driver tells the audit trail */
  let audited: LogEvent[] = [];
  const audit = {
    record: async (events: LogEvent | readonly LogEvent[]) => {
      const told = Array.isArray(events) ? events : [events];
      audited.push(...told);
      return { added: told.length };
    },
  };
  const newDriver = (options: { intervalMs?: number } = {}) =>
    new PendingDriver({
      store: payment.store,
      settler: payment.settler,
      reports,
      audit,
      logger,
      leaseMs: payment.leaseMs,
      idleMs: 0,
      ...options,
    });
  const startPayment = () =>
    createPaymentUnderTest({
      deployment: chain.deployment,
      rpcUrl: proxy.url,
      receiptTimeoutMs: 1_000,
      sqlitePath: ledgerFile,
      payeeKeys: true,
      reports,
      grants,
    });
  const treasuryBalance = () =>
    MNEEToken__factory.connect(chain.deployment.token.address, chain.provider).balanceOf(chain.treasury.address);
  const hold = async (): Promise<Decision & { reservationId: string; amount: string }> => {
    sequence += 1;
    const decision = await policy.decide({
      agentId: 'user-agent',
      serviceId: 'IMAGE_GEN',
      idempotencyKey: `pending-${sequence}-${Date.now()}`,
    });
    if (!decision.reservationId || !decision.amount) throw new Error(`expected a hold, got ${decision.action}`);
    return { ...decision, reservationId: decision.reservationId, amount: decision.amount };
  };
  const pay = (decision: Decision & { reservationId: string; amount: string }) =>
    request(payment.app)
      .post('/payments')
      .set(auth)
      .send({ grant: decision.grant, idempotencyKey: `key-${decision.id}` });
  const pendingIdOf = (response: request.Response): string => {
    expect(response.status).toBe(503);
    expect(response.body.error).toMatchObject({
      code: 'CHAIN_UNAVAILABLE',
      details: [{ path: 'payment.id' }, { path: 'payment.status', message: 'PENDING' }],
    });
    return response.body.error.details[0].message as string;
  };
  const waitUntil = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    chain = await startTestChain();
    proxy = await startRpcProxy(chain.node.url);
    const port = await freePort();
    policyProcess = await startServiceProcess({
      app: 'policy',
      port,
      env: {
        ...testCredentialEnv('policy', CALLERS_ACCEPTED_BY.policy),
        ...grants.policyEnv,
        NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'nexus-pending-policy-')),
        NEXUS_CONFIG_DIR: join(findWorkspaceRoot(), 'config'),
      },
    });
    policy = new PolicyClient({
      baseUrl: policyProcess.url,
      token: TEST_TOKENS.gateway,
      retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
    });
    ledgerFile = join(mkdtempSync(join(tmpdir(), 'nexus-pending-ledger-')), 'payment.sqlite');
    outboxDatabase = openDatabase<OutboxTables>({
      sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-pending-outbox-')), 'outbox.sqlite'),
    });
    outbox = await createOutboxStore(outboxDatabase);
    reports = new PolicyOutcomeReports({
      queue: outbox,
      // the payment service reports the ends of its payments with its own credential
      policy: new PolicyClient({
        baseUrl: policyProcess.url,
        token: TEST_TOKENS.payment,
        retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
      }),
      logger,
      pollMs: 50,
      // every late report due at once: the tests drain them themselves
      leadMs: 3_600_000,
      ledger: { get: (id) => payment.store.get(id) },
      audit,
    });
    payment = await startPayment();
  }, 120_000);
  afterAll(async () => {
    await reports?.close();
    await outboxDatabase?.close();
    await payment?.close();
    await policyProcess?.stop();
    await proxy?.down();
    await chain?.stop();
  });
  beforeEach(async () => {
    await proxy.up();
    await policy.reset();
    audited = [];
  });

  it('keeps the hold HELD while the RPC dropped after the broadcast, then drives the payment to SUCCESS and commits the hold once', async () => {
    const balance = await treasuryBalance();
    const decision = await hold();
    proxy.dropNextSend();

    const id = pendingIdOf(await pay(decision));

    expect(await payment.store.get(id)).toMatchObject({
      status: 'PENDING',
      txHash: expect.stringMatching(/^0x/),
      txNonce: expect.any(Number),
    });
    expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'HELD' });
    expect(await policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: decision.amount });

    await proxy.up();
    expect(await newDriver().pass()).toEqual({ settled: 1, failed: 0, stillPending: 0 });
    await reports.queue.drain();

    const settled = await payment.store.get(id);
    expect(settled).toMatchObject({ status: 'SUCCESS', blockNumber: expect.any(Number) });
    expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'COMMITTED', committedAmount: decision.amount });
    expect(await policy.getAgent('user-agent')).toMatchObject({ spentToday: decision.amount, reserved: '0.00' });
    // Reconcile's totals: the chain, the ledger and the policy say the same amount.
    expect(await treasuryBalance()).toBe(balance - parseUnits(decision.amount, 18));
    const charged = (await payment.store.list({ status: 'SUCCESS', limit: 100 })).items.filter((p) => p.id === id);
    expect(charged.map((p) => p.amount)).toEqual([toBaseUnits(decision.amount)]);
    const committed = (await policy.listReservations({ status: 'COMMITTED' })).items;
    expect(committed.map((r) => r.committedAmount)).toEqual([decision.amount]);
    expect(await outbox.counts(OUTCOME_TOPIC)).toEqual({ pending: 0, dead: 0 });
    // The audit trail hears of the end the gateway never saw.
    expect(audited).toEqual([expect.objectContaining({ id: `pay:${id}:SUCCESS`, status: 'SUCCESS', amount: decision.amount })]);

    // A retry of the pay request now answers the settled payment; nothing more is sent.
    const retry = await pay(decision);
    expect(retry.body).toMatchObject({ id, status: 'SUCCESS', replayed: true });
    expect(await treasuryBalance()).toBe(balance - parseUnits(decision.amount, 18));
  });

  it('drives a PENDING payment left by a crashed payment service to its end after a restart, once the dead lease runs out', async () => {
    const decision = await hold();
    proxy.dropNextSend();
    const id = pendingIdOf(await pay(decision));
    // The settler died mid-settlement: its lease is still live.
    await payment.store.lease(id, 'crashed-settler', new Date(), new Date(Date.now() + 1_500));
    await proxy.up();
    await payment.close();

    payment = await startPayment();
    const driver = newDriver({ intervalMs: 200 }).start();
    try {
      await waitUntil('the payment to settle', async () => (await payment.store.get(id))?.status === 'SUCCESS');
      await reports.queue.drain();
      expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'COMMITTED', committedAmount: decision.amount });
    } finally {
      await driver.close();
    }
  });

  it('sends again a transaction the node lost, and settles it', async () => {
    const balance = await treasuryBalance();
    const decision = await hold();
    proxy.swallowNextSend();
    const id = pendingIdOf(await pay(decision));
    expect(await treasuryBalance()).toBe(balance);
    await proxy.up();

    const driver = newDriver();
    expect(await driver.pass()).toEqual({ settled: 0, failed: 0, stillPending: 1 });
    expect(await driver.pass()).toEqual({ settled: 1, failed: 0, stillPending: 0 });
    await reports.queue.drain();

    expect(await payment.store.get(id)).toMatchObject({ status: 'SUCCESS' });
    expect(await treasuryBalance()).toBe(balance - parseUnits(decision.amount, 18));
    expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'COMMITTED' });
  });

  it('fails a lost transaction once the treasury has mined past its nonce, and releases the hold', async () => {
    const balance = await treasuryBalance();
    const lost = await hold();
    proxy.swallowNextSend();
    const id = pendingIdOf(await pay(lost));
    await proxy.up();
    // Another payment takes the lost one's nonce: the lost transaction can never land.
    const other = await hold();
    expect((await pay(other)).body).toMatchObject({ status: 'SUCCESS' });
    expect((await payment.store.get(id))?.txNonce).toBeLessThan(await chain.provider.getTransactionCount(chain.treasury.address, 'latest'));

    expect(await newDriver().pass()).toEqual({ settled: 0, failed: 1, stillPending: 0 });
    await reports.queue.drain();

    expect(await payment.store.get(id)).toMatchObject({ status: 'FAILED', failure: { code: 'NEVER_LANDED' } });
    expect(await policy.getReservation(lost.reservationId)).toMatchObject({ status: 'RELEASED' });
    expect(audited).toEqual([expect.objectContaining({ id: `pay:${id}:FAILED`, status: 'FAILED', reason: 'NEVER_LANDED' })]);
    expect(await treasuryBalance()).toBe(balance - parseUnits(other.amount, 18));
  });

  it('never fails a payment whose transaction may still land: the chain is silent, it stays PENDING and its hold HELD', async () => {
    const decision = await hold();
    proxy.dropNextSend();
    const id = pendingIdOf(await pay(decision));
    // still down

    expect(await newDriver().pass()).toEqual({ settled: 0, failed: 0, stillPending: 1 });
    await reports.queue.drain();
    expect(await payment.store.get(id)).toMatchObject({ status: 'PENDING' });
    // Kept past its own expiry (pinned): the sweep will not free a hold whose payment may still land.
    const kept = await policy.getReservation(decision.reservationId);
    expect(kept).toMatchObject({ status: 'HELD' });
    expect(Date.parse(kept.expiresAt)).toBeGreaterThan(Date.parse(decision.expiresAt ?? '') + 3_600_000);

    await proxy.up();
    expect(await newDriver().pass()).toEqual({ settled: 1, failed: 0, stillPending: 0 });
  });

  it('tells the policy, before the hold expires, how a payment settled in the request ended when its caller never settled the hold', async () => {
    const decision = await hold();
    const paid = await pay(decision);
    expect(paid.body).toMatchObject({ status: 'SUCCESS' });
    // The caller (the gateway) timed out and went away: nobody settled the hold.
    expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'HELD' });

    await reports.late.drain();

    expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'COMMITTED', committedAmount: decision.amount });
    expect(await outbox.counts(LATE_OUTCOME_TOPIC)).toEqual({ pending: 0, dead: 0 });
    // ...and the audit trail, which the gateway never told.
    expect(audited).toContainEqual(expect.objectContaining({ id: `pay:${paid.body.id}:SUCCESS`, status: 'SUCCESS' }));
  });

  it('tells the ledger as it is when the report is due: a payment refunded since is released, never committed', async () => {
    const decision = await hold();
    const paid = await pay(decision);
    expect(paid.body).toMatchObject({ status: 'SUCCESS' });
    const refunded = await request(payment.app)
      .post(`/payments/${paid.body.id as string}/refund`)
      .set(auth)
      .send({ reason: 'not served' });
    expect(refunded.body).toMatchObject({ status: 'REFUNDED' });

    await reports.late.drain();

    expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'RELEASED' });
    expect(await policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
  });

  it('leaves a hold the caller already settled as it is', async () => {
    const decision = await hold();
    const paid = await pay(decision);
    await policy.commit(decision.reservationId, decision.amount);
    expect(paid.body).toMatchObject({ status: 'SUCCESS' });

    await reports.late.drain();

    expect(await policy.getReservation(decision.reservationId)).toMatchObject({ status: 'COMMITTED', committedAmount: decision.amount });
    expect(await policy.getAgent('user-agent')).toMatchObject({ spentToday: decision.amount });
    expect(await outbox.counts(LATE_OUTCOME_TOPIC)).toEqual({ pending: 0, dead: 0 });
  });
});
