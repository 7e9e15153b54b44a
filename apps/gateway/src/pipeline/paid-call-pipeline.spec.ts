import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { freePort } from '@nexus/chain/testing';
import { LogOutbox, PaymentClient, PolicyClient, isServiceCallError } from '@nexus/clients';
import { loadConfig, type ServiceConfig } from '@nexus/config';
import { ECHO_SUMMARY_MAX_TEXT, buildEchoProvider, createProviderUnderTest, type ProviderUnderTest } from '@nexus/provider-kit/testing';
import { createSilentLogger } from '@nexus/service-kit';
import { TEST_TOKENS, listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';
import { createOutboxStore, openDatabase, type Database, type OutboxTables } from '@nexus/stores';
import type { DecisionEvent, LogEvent } from '@nexus/types';
import { ServiceDirectory } from '../services/service-directory';
import { startBackingStack, type BackingStack } from '../testing/backing-stack';
import { internalKey } from './internal-keys';
import { PaidCallPipeline, type PaidCallPipelineDeps } from './paid-call-pipeline';
import { SettlementQueue } from './settlement-queue';
import type { PaidCallOutcome, PaidCallRequest } from './paid-call-types';

jest.setTimeout(120_000);

/**
 * docs/architecture.md §2 run by the pipeline itself against the real policy and
 * payment services (and the real logger behind a real outbox), with a paid
 * echo provider on LOG_ARCHIVE's entry whose input says how the call ends.
 */
describe('PaidCallPipeline', () => {
  let stack: BackingStack;
  let echo: ProviderUnderTest;
  let echoServer: LoopbackServer;
  /** answers nothing, ever (but its free precheck): a provider or payment service that hangs */
  let hanging: LoopbackServer;
  /** takes the precheck, then drops the connection of every paid call: a provider that goes away after the precheck */
  let dropping: LoopbackServer;
  /** takes the precheck, then refuses the paid call with a 404 before redeeming the proof */
  let refusing: LoopbackServer;
  /** a port nothing listens on */
  let closedUrl: string;
  /** a payment service that answers every request with `brokenAnswer` (a 500 unless a test says otherwise) */
  let broken: LoopbackServer;
  const SERVER_ERROR = { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'something broke after the send' } } };
  let brokenAnswer = SERVER_ERROR;
  /** a provider that says it refunded the payment, and did not */
  let liar: LoopbackServer;
  /** a payment service whose chain is away: 503 CHAIN_UNAVAILABLE with the payment's status (`outageStatus`) */
  let outage: LoopbackServer;
  let outageStatus: 'PENDING' | 'FAILED' = 'PENDING';
  let database: Database<OutboxTables>;
  let outbox: LogOutbox;
  let serviceConfigs: ServiceConfig[];
  /** what the pipeline recorded in the outbox, in order, for the current test */
  let recorded: LogEvent[];

  beforeAll(async () => {
    stack = await startBackingStack();
    echo = await createProviderUnderTest(buildEchoProvider, { serviceId: 'LOG_ARCHIVE', network: stack.network });
    echoServer = await listenOnLoopback(echo.app);
    const precheckOk = express.Router().post('/precheck', (_req, res) => {
      res.json({ ok: true });
    });
    const silent = express();
    silent.use(precheckOk);
    silent.use(() => undefined);
    hanging = await listenOnLoopback(silent);
    const drops = express();
    drops.use(precheckOk);
    drops.use((req) => req.socket.destroy());
    dropping = await listenOnLoopback(drops);
    const refuses = express();
    refuses.use(precheckOk);
    refuses.use((_req, res) => {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'nothing is known of "unknown"' } });
    });
    refusing = await listenOnLoopback(refuses);
    closedUrl = `http://127.0.0.1:${await freePort()}`;
    const failing = express();
    failing.use((_req, res) => res.status(brokenAnswer.status).json(brokenAnswer.body));
    broken = await listenOnLoopback(failing);
    const lying = express();
    lying.use(precheckOk);
    lying.use(express.json());
    lying.post('/invoke', (req, res) => {
      const paymentId = req.header('x-payment-id') ?? 'pay_unknown';
      res.status(502).json({
        error: { code: 'PROVIDER_FAILED', message: 'the work failed' },
        refund: { status: 'REFUNDED', paymentId, txHash: null, message: 'refunded (it says)' },
      });
    });
    liar = await listenOnLoopback(lying);
    const chainless = express();
    chainless.use((_req, res) =>
      res.status(503).json({
        error: {
          code: 'CHAIN_UNAVAILABLE',
          message: 'the chain RPC did not answer',
          details: [
            { path: 'payment.id', message: 'pay_0123456789abcdef0123456789abcdef' },
            { path: 'payment.status', message: outageStatus },
          ],
        },
      }),
    );
    outage = await listenOnLoopback(chainless);
    database = openDatabase<OutboxTables>({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-pipeline-')), 'gateway.sqlite') });
    outbox = new LogOutbox({ queue: await createOutboxStore(database), sink: stack.logs, logger: createSilentLogger('gateway') }).start();
    serviceConfigs = loadConfig({ env: stack.gatewayEnv }).services;
  }, 180_000);
  afterAll(async () => {
    await outbox?.close({ timeoutMs: 1_000 });
    await database?.close();
    await hanging?.close();
    await broken?.close();
    await liar?.close();
    await outage?.close();
    await dropping?.close();
    await refusing?.close();
    await echoServer?.close();
    await echo?.close();
    await stack?.stopAll();
  });
  beforeEach(async () => {
    recorded = [];
    await stack.policy.reset();
  });

  /** A pipeline whose LOG_ARCHIVE is the provider at `archiveUrl` (the echo provider by default). */
  function pipeline(options: { archiveUrl?: string; providerTimeoutMs?: number; deps?: Partial<PaidCallPipelineDeps> } = {}) {
    const configs = serviceConfigs.map((config) =>
      config.id === 'LOG_ARCHIVE' ? { ...config, providerUrl: options.archiveUrl ?? echoServer.url } : config,
    );
    const providerTimeoutMs = options.providerTimeoutMs ?? 10_000;
    return new PaidCallPipeline({
      policy: stack.policy,
      payments: stack.payments,
      services: new ServiceDirectory(configs, { timeoutMs: providerTimeoutMs }),
      outbox: {
        record: (events) => {
          recorded.push(...('kind' in events ? [events] : events));
          return outbox.record(events);
        },
      },
      logger: createSilentLogger('gateway'),
      providerTimeoutMs,
      ...options.deps,
    });
  }

  const archiveCall = (input: Record<string, unknown>, agentId = 'user-agent'): PaidCallRequest => ({
    agentId,
    serviceId: 'LOG_ARCHIVE',
    input,
    idempotencyKey: `test-${randomUUID()}`,
  });
  const decisionEventOf = (): DecisionEvent => {
    const event = recorded.find((candidate): candidate is DecisionEvent => candidate.kind === 'decision');
    if (!event) throw new Error('no decision was recorded');
    return event;
  };
  const holdOf = async () => stack.policy.getReservation(decisionEventOf().reservationId ?? 'none');
  const failedWith = (outcome: PaidCallOutcome) => {
    if (outcome.kind !== 'failed') throw new Error(`expected a failed call, got ${outcome.kind}`);
    return outcome;
  };

  it('serves a paid call: decision and payment recorded for the logger, the hold committed', async () => {
    const outcome = await pipeline().run(archiveCall({ text: 'hello' }));

    expect(outcome.kind).toBe('served');
    const { decision, payment, result } = outcome.answer;
    expect(decision).toMatchObject({ action: 'ALLOWED', reason: 'WITHIN_POLICY', variant: 'full', amount: '0.30', agentId: 'user-agent' });
    expect(payment).toMatchObject({ status: 'MOCK', amount: '0.30', decisionId: decision.id });
    expect(result).toEqual({ echo: 'hello', variant: 'full', paidWith: payment?.id });
    expect(recorded.map((event) => event.id)).toEqual([`dec:${decision.id}`, `pay:${payment?.id}:MOCK`]);
    expect(await holdOf()).toMatchObject({ status: 'COMMITTED', committedAmount: '0.30' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.30', reserved: '0.00' });

    // The outbox is the real one: both events reach the logger.
    await outbox.flush();
    expect(await stack.logs.get(`dec:${decision.id}`)).toMatchObject({ kind: 'decision', action: 'ALLOWED', amount: '0.30' });
    expect(await stack.logs.get(`pay:${payment?.id}:MOCK`)).toMatchObject({ kind: 'transaction', status: 'MOCK', amount: '0.30' });
  });

  it('answers once the provider has served and commits after, through the durable queue, the hold counted meanwhile', async () => {
    let open = () => undefined as void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const commitMany: PolicyClient['commitMany'] = async (commits, context) => {
      await gate;
      return stack.policy.commitMany(commits, context);
    };
    const policy = {
      commit: stack.policy.commit.bind(stack.policy),
      release: stack.policy.release.bind(stack.policy),
      pin: stack.policy.pin.bind(stack.policy),
      commitMany,
    };
    const settlements = new SettlementQueue({
      queue: await createOutboxStore(database),
      policy,
      logger: createSilentLogger('gateway'),
      batchCommits: true,
    });

    const outcome = await pipeline({ deps: { settlements } }).run(archiveCall({ text: 'hello' }));
    expect(outcome.kind).toBe('served');
    expect(await holdOf()).toMatchObject({ status: 'HELD', amount: '0.30' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.30', remaining: '4.70' });

    open();
    await settlements.drain();
    expect(await holdOf()).toMatchObject({ status: 'COMMITTED', committedAmount: '0.30' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.30', reserved: '0.00', remaining: '4.70' });
    await settlements.close();
  });

  it('stops at a rejection: only the decision is recorded, nothing is held or paid', async () => {
    const outcome = await pipeline().run({
      agentId: 'user-agent',
      serviceId: 'BATCH_COMPUTE',
      input: { kind: 'primes', below: 100 },
      idempotencyKey: `test-${randomUUID()}`,
    });

    expect(outcome.kind).toBe('rejected');
    expect(outcome.answer).toMatchObject({ decision: { action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' }, payment: null, result: null });
    expect(recorded.map((event) => event.id)).toEqual([`dec:${outcome.answer.decision.id}`]);
    expect(decisionEventOf().reservationId).toBeNull();
    const payments = await stack.payments.list({ agentId: 'user-agent', limit: 200 });
    expect(payments.items.filter((payment) => payment.decisionId === outcome.answer.decision.id)).toHaveLength(0);
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
  });

  it.each([
    ['throws', 'throw'],
    ['turns the input down', 'bad-request'],
  ])(
    'answers 502 PROVIDER_FAILED when the provider takes the payment and then %s; the provider refunds, the hold is released',
    async (_, how) => {
      const outcome = failedWith(await pipeline().run(archiveCall({ text: 'hello', outcome: how })));

      expect(outcome.error).toMatchObject({ code: 'PROVIDER_FAILED', status: 502 });
      const { decision, payment, refund, error } = outcome.answer;
      expect(decision.action).toBe('ALLOWED');
      expect(error).toMatchObject({ code: 'PROVIDER_FAILED' });
      expect(refund).toMatchObject({ status: 'REFUNDED', paymentId: payment?.id });
      expect(payment).toMatchObject({ status: 'REFUNDED', amount: '0.30' });
      expect((await stack.payments.get(payment?.id ?? '')).status).toBe('REFUNDED');
      expect(recorded.map((event) => event.id)).toEqual([`dec:${decision.id}`, `pay:${payment?.id}:MOCK`, `pay:${payment?.id}:REFUNDED`]);
      expect(await holdOf()).toMatchObject({ status: 'RELEASED' });
      expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
    },
  );

  it('refunds through the payment service when the provider refuses the call before redeeming the proof, keeping its 404', async () => {
    const outcome = failedWith(await pipeline({ archiveUrl: refusing.url }).run(archiveCall({ text: 'unknown' })));

    expect(outcome.error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const { decision, payment, refund } = outcome.answer;
    expect(refund).toMatchObject({ status: 'REFUNDED', paymentId: payment?.id });
    const ledger = await stack.payments.get(payment?.id ?? '');
    expect(ledger.status).toBe('REFUNDED');
    expect(ledger.refund?.reason).toMatch(/^not served: /);
    expect(payment?.status).toBe('REFUNDED');
    expect(recorded.map((event) => event.id)).toEqual([`dec:${decision.id}`, `pay:${payment?.id}:MOCK`, `pay:${payment?.id}:REFUNDED`]);
    expect(await holdOf()).toMatchObject({ status: 'RELEASED' });
  });

  it('answers the 4xx of the precheck and releases the hold when the provider refuses the input: nothing is paid', async () => {
    const outcome = failedWith(await pipeline().run(archiveCall({ text: 'unknown' })));

    expect(outcome.error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(outcome.error.message).toMatch(/LOG_ARCHIVE refuses this input for the full variant \(nothing is known of "unknown"\)/);
    expect(outcome.answer).toMatchObject({ decision: { action: 'ALLOWED' }, payment: null, refund: null, error: { code: 'NOT_FOUND' } });
    expect(recorded.map((event) => event.id)).toEqual([`dec:${outcome.answer.decision.id}`]);
    expect(await holdOf()).toMatchObject({ status: 'RELEASED' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
    const payments = await stack.payments.list({ agentId: 'user-agent', limit: 200 });
    expect(payments.items.filter((payment) => payment.decisionId === outcome.answer.decision.id)).toHaveLength(0);
  });

  it('prechecks the variant the policy granted: an input too large for the downgraded variant is refused before paying', async () => {
    await stack.policy.updateBudget('ops-agent', { maxPerCall: '0.10' });
    try {
      const text = 'x'.repeat(ECHO_SUMMARY_MAX_TEXT + 1);
      const outcome = failedWith(await pipeline().run(archiveCall({ text }, 'ops-agent')));

      expect(outcome.answer.decision).toMatchObject({ action: 'DOWNGRADED', variant: 'summary' });
      expect(outcome.error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
      expect(outcome.error.message).toMatch(/refuses this input for the summary variant/);
      expect(outcome.answer).toMatchObject({ payment: null, error: { details: [expect.objectContaining({ path: 'body.input.text' })] } });
      expect(await holdOf()).toMatchObject({ status: 'RELEASED' });
      expect(await stack.policy.getAgent('ops-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
      const payments = await stack.payments.list({ agentId: 'ops-agent', limit: 200 });
      expect(payments.items.filter((payment) => payment.decisionId === outcome.answer.decision.id)).toHaveLength(0);
    } finally {
      await stack.policy.updateBudget('ops-agent', { maxPerCall: '0.50' });
    }
  });

  it('answers 503 and releases the hold when the precheck cannot be reached: nothing is paid', async () => {
    const outcome = failedWith(await pipeline({ archiveUrl: closedUrl }).run(archiveCall({ text: 'hello' })));

    expect(outcome.error).toMatchObject({ code: 'PRECHECK_UNAVAILABLE', status: 503 });
    expect(outcome.error.message).toMatch(/could not check the input before payment/);
    expect(outcome.answer).toMatchObject({ payment: null, refund: null });
    expect(recorded.map((event) => event.id)).toEqual([`dec:${outcome.answer.decision.id}`]);
    expect(await holdOf()).toMatchObject({ status: 'RELEASED' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
  });

  it('answers 503 when the provider cannot be reached after its precheck, refunds the payment and releases the hold', async () => {
    const outcome = failedWith(await pipeline({ archiveUrl: dropping.url }).run(archiveCall({ text: 'hello' })));

    expect(outcome.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    const { decision, payment, refund } = outcome.answer;
    expect(refund).toMatchObject({ status: 'REFUNDED' });
    expect((await stack.payments.get(payment?.id ?? '')).status).toBe('REFUNDED');
    expect(recorded.map((event) => event.id)).toEqual([`dec:${decision.id}`, `pay:${payment?.id}:MOCK`, `pay:${payment?.id}:REFUNDED`]);
    expect(await holdOf()).toMatchObject({ status: 'RELEASED' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
  });

  it('answers 504 and keeps the payment (the hold committed) when the provider does not answer in time: it may have served', async () => {
    const outcome = failedWith(await pipeline({ archiveUrl: hanging.url, providerTimeoutMs: 300 }).run(archiveCall({ text: 'hello' })));

    expect(outcome.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
    const { decision, payment, refund } = outcome.answer;
    expect(refund).toBeNull();
    expect(payment).toMatchObject({ status: 'MOCK', amount: '0.30' });
    expect((await stack.payments.get(payment?.id ?? '')).status).toBe('MOCK');
    expect(recorded.map((event) => event.id)).toEqual([`dec:${decision.id}`, `pay:${payment?.id}:MOCK`]);
    expect(await holdOf()).toMatchObject({ status: 'COMMITTED', committedAmount: '0.30' });
  });

  it('never pays again when a served call is run again with its key: the provider says the proof was used, the hold stays committed once', async () => {
    const request = archiveCall({ text: 'once' });
    const first = await pipeline().run(request);
    expect(first.kind).toBe('served');

    const again = failedWith(await pipeline().run(request));
    expect(again.answer.decision.id).toBe(first.answer.decision.id);
    expect(again.answer.payment?.id).toBe(first.answer.payment?.id);
    expect(again.answer.result).toBeNull();
    const payments = await stack.payments.list({ agentId: 'user-agent', limit: 200 });
    expect(payments.items.filter((payment) => payment.decisionId === first.answer.decision.id)).toHaveLength(1);
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.30', reserved: '0.00' });
  });

  it('refuses to pay when a call whose hold was released is run again with its key', async () => {
    const request = archiveCall({ text: 'released' });
    const decision = await stack.policy.decide({
      agentId: request.agentId,
      serviceId: request.serviceId,
      idempotencyKey: internalKey(request.agentId, request.idempotencyKey),
    });
    await stack.policy.release(decision.reservationId ?? '', 'the earlier attempt ended');

    const again = failedWith(await pipeline().run(request));
    expect(again.error).toMatchObject({ code: 'RESERVATION_ALREADY_SETTLED', status: 409 });
    expect(again.answer.payment).toBeNull();
    const payments = await stack.payments.list({ agentId: 'user-agent', limit: 200 });
    expect(payments.items.filter((payment) => payment.decisionId === decision.id)).toHaveLength(0);
  });

  it('serves, once, a call whose payment the payment service committed after an unknown end', async () => {
    const request = archiveCall({ text: 'late' });
    const earlier = await earlierAttempt(request);
    // The payment service drove the payment to its end and committed the hold; the provider never saw it.
    await stack.policy.commit(earlier.decision.reservationId ?? '', earlier.payment.amount);

    const outcome = await pipeline().run(request);
    expect(outcome.kind).toBe('served');
    expect(outcome.answer.payment?.id).toBe(earlier.payment.id);
    expect(outcome.answer.result).toMatchObject({ echo: 'late', paidWith: earlier.payment.id });
    expect(await holdOf()).toMatchObject({ status: 'COMMITTED', committedAmount: '0.30' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.30', reserved: '0.00' });

    const again = failedWith(await pipeline().run(request));
    expect(again.answer.result).toBeNull();
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.30', reserved: '0.00' });
  });

  /** What an earlier attempt with this key got done before it died: the decision (a hold) and the payment. */
  async function earlierAttempt(request: PaidCallRequest) {
    const key = internalKey(request.agentId, request.idempotencyKey);
    const decision = await stack.policy.decide({ agentId: request.agentId, serviceId: request.serviceId, idempotencyKey: key });
    const payment = await stack.payments.pay({ grant: decision.grant ?? '', idempotencyKey: key });
    return { decision, payment };
  }

  it('finishes the call of an attempt that died after paying: the same payment is used, once, and the hold committed', async () => {
    const request = archiveCall({ text: 'resumed' });
    const earlier = await earlierAttempt(request);

    const outcome = await pipeline().run(request);
    expect(outcome.kind).toBe('served');
    expect(outcome.answer.decision.id).toBe(earlier.decision.id);
    expect(outcome.answer.payment?.id).toBe(earlier.payment.id);
    expect(outcome.answer.result).toMatchObject({ echo: 'resumed', paidWith: earlier.payment.id });
    const payments = await stack.payments.list({ agentId: 'user-agent', limit: 200 });
    expect(payments.items.filter((payment) => payment.decisionId === earlier.decision.id)).toHaveLength(1);
    expect(await holdOf()).toMatchObject({ status: 'COMMITTED', committedAmount: '0.30' });
  });

  it('releases the hold of an attempt that died after its payment was refunded, and pays nothing more', async () => {
    const request = archiveCall({ text: 'refunded' });
    const earlier = await earlierAttempt(request);
    await stack.payments.refund(earlier.payment.id, { reason: 'the earlier attempt failed' });

    const outcome = failedWith(await pipeline().run(request));
    expect(outcome.error).toMatchObject({ code: 'PROVIDER_FAILED', status: 502 });
    expect(outcome.answer.payment).toMatchObject({ id: earlier.payment.id, status: 'REFUNDED' });
    expect(await echo.redemptions.get(earlier.payment.id)).toBeUndefined();
    expect(await holdOf()).toMatchObject({ status: 'RELEASED' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
    // The audit trail gets the payment and its refund (the refund alone would net below zero).
    const paymentId = earlier.payment.id;
    expect(recorded.map((event) => event.id)).toEqual([`dec:${earlier.decision.id}`, `pay:${paymentId}:MOCK`, `pay:${paymentId}:REFUNDED`]);
    await outbox.flush();
    expect(await stack.logs.get(`pay:${paymentId}:MOCK`)).toMatchObject({ status: 'MOCK', amount: '0.30', txHash: null });
    expect(await stack.logs.get(`pay:${paymentId}:REFUNDED`)).toMatchObject({ status: 'REFUNDED', amount: '0.30' });
  });

  it('answers 503 and keeps the hold HELD (counted) when the payment service cannot be reached: it may have sent before it went', async () => {
    const payments = new PaymentClient({
      baseUrl: closedUrl,
      token: TEST_TOKENS.gateway,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 },
    });
    const outcome = failedWith(await pipeline({ deps: { payments } }).run(archiveCall({ text: 'hello' })));

    expect(outcome.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect(outcome.answer).toMatchObject({ decision: { action: 'ALLOWED' }, payment: null, refund: null });
    expect(recorded.map((event) => event.id)).toEqual([`dec:${outcome.answer.decision.id}`]);
    expect(await holdOf()).toMatchObject({ status: 'HELD' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.30' });
  });

  it('neither commits nor releases the hold when the payment service does not answer in time: the payment service settles it', async () => {
    const payments = new PaymentClient({
      baseUrl: hanging.url,
      token: TEST_TOKENS.gateway,
      timeoutMs: 200,
      retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
    });
    const outcome = failedWith(await pipeline({ deps: { payments } }).run(archiveCall({ text: 'hello' })));

    expect(outcome.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
    expect(outcome.answer).toMatchObject({ payment: null, refund: null });
    expect(await holdOf()).toMatchObject({ status: 'HELD' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.30' });
  });

  it.each([
    ['500', SERVER_ERROR, 502],
    [
      '409 RESERVATION_ALREADY_PAID (the hold was paid under another key)',
      { status: 409, body: { error: { code: 'RESERVATION_ALREADY_PAID', message: 'reservation res_1 was already paid' } } },
      409,
    ],
  ])('keeps the hold HELD when the payment service answers %s: the money may have moved', async (_name, answer, status) => {
    brokenAnswer = answer;
    const payments = new PaymentClient({
      baseUrl: broken.url,
      token: TEST_TOKENS.gateway,
      retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
    });
    try {
      const outcome = failedWith(await pipeline({ deps: { payments } }).run(archiveCall({ text: 'hello' })));

      expect(outcome.error.status).toBe(status);
      expect(outcome.answer).toMatchObject({ payment: null, refund: null });
      expect(await holdOf()).toMatchObject({ status: 'HELD' });
    } finally {
      brokenAnswer = SERVER_ERROR;
    }
  });

  it.each([
    ['PENDING', 'HELD', '0.30'],
    ['FAILED', 'RELEASED', '0.00'],
  ] as const)(
    'answers 503 CHAIN_UNAVAILABLE when the chain is away and the payment is %s; the hold is %s',
    async (paymentStatus, holdStatus, reserved) => {
      outageStatus = paymentStatus;
      const payments = new PaymentClient({
        baseUrl: outage.url,
        token: TEST_TOKENS.gateway,
        retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
      });
      const outcome = failedWith(await pipeline({ deps: { payments } }).run(archiveCall({ text: 'hello' })));

      expect(outcome.error).toMatchObject({ code: 'CHAIN_UNAVAILABLE', status: 503 });
      expect(outcome.answer.error).toMatchObject({
        code: 'CHAIN_UNAVAILABLE',
        details: [{ path: 'payment.id' }, { path: 'payment.status', message: paymentStatus }],
      });
      expect(await holdOf()).toMatchObject({ status: holdStatus });
      expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.00', reserved });
    },
  );

  it('commits the hold when a provider says it refunded but the ledger says the payment stands', async () => {
    const outcome = failedWith(await pipeline({ archiveUrl: liar.url }).run(archiveCall({ text: 'hello' })));

    expect(outcome.error).toMatchObject({ code: 'PROVIDER_FAILED' });
    const { payment } = outcome.answer;
    expect(payment).toMatchObject({ status: 'MOCK' });
    expect((await stack.payments.get(payment?.id ?? '')).status).toBe('MOCK');
    expect(await holdOf()).toMatchObject({ status: 'COMMITTED', committedAmount: '0.30' });
    expect(await stack.policy.getAgent('user-agent')).toMatchObject({ spentToday: '0.30', reserved: '0.00' });
  });

  it('throws before any decision when the policy service cannot be reached, and records nothing', async () => {
    const policy = new PolicyClient({
      baseUrl: closedUrl,
      token: TEST_TOKENS.gateway,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 },
    });
    const failure: unknown = await pipeline({ deps: { policy } })
      .run(archiveCall({ text: 'hello' }))
      .catch((error: unknown) => error);

    expect(isServiceCallError(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect(recorded).toEqual([]);
  });
});
