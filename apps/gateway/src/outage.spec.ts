import { ChatResponse, InvokeAnswer, InvokeFailureBody, sumMoney, type PublicAgent } from '@nexus/types';
import { waitFor, type WaitForOptions } from '@nexus/service-kit/testing';
import { useGatewayOverStack } from './testing/gateway-suite';

/** Across processes: a check that fails (a service restarting) is tried again. */
const POLL: WaitForOptions = { timeoutMs: 60_000, retryOnError: true };

jest.setTimeout(180_000);

const spendOf = (agent: PublicAgent) => ({ spentToday: agent.spentToday, reserved: agent.reserved });

/**
 * A service down → a clean error and no leaked reservation: each service
 * behind the gateway is stopped (or killed) in turn while paid calls go on.
 */
describe('outages behind the gateway', () => {
  const suite = useGatewayOverStack();

  const invoke = (who: string, serviceId: string, body: object) =>
    suite.gw.http.post(`/tools/${serviceId}/invoke`).set(suite.gw.auth(who)).send(body);
  const price = { input: { base: 'ETH' } };

  it('answers 503 when a provider is down, pays nothing (its precheck failed) and releases the hold; the provider works again once back', async () => {
    const before = await suite.probe.agent('user-agent');
    const paymentsBefore = await suite.probe.payments({ agentId: 'user-agent' });
    await suite.stack.stop('price-oracle');
    let res;
    try {
      res = await invoke('user-agent', 'PRICE_ORACLE', price);
    } finally {
      await suite.stack.start('price-oracle');
    }

    expect(res.status).toBe(503);
    const body = InvokeFailureBody.parse(res.body);
    expect(body.error.code).toBe('PRECHECK_UNAVAILABLE');
    expect(body.error.message).toMatch(/could not check the input before payment/);
    expect(body.decision).toMatchObject({ action: 'ALLOWED', serviceId: 'PRICE_ORACLE', amount: '0.05' });
    expect(body.payment).toBeNull();
    expect(body.refund).toBeNull();
    expect(await suite.probe.payments({ agentId: 'user-agent' })).toHaveLength(paymentsBefore.length);
    expect(spendOf(await suite.probe.agent('user-agent'))).toEqual(spendOf(before));

    const again = await invoke('user-agent', 'PRICE_ORACLE', price);
    expect(again.status).toBe(200);
    expect(InvokeAnswer.parse(again.body)).toMatchObject({ payment: { status: 'MOCK' }, result: { base: 'ETH' } });
    expect(await suite.probe.agent('user-agent')).toMatchObject({
      spentToday: sumMoney([before.spentToday, '0.05']),
      reserved: before.reserved,
    });
  });

  it('answers 503 with the decision when the payment service is down, and keeps the hold counted: it may have sent before it went', async () => {
    const before = await suite.probe.agent('user-agent');
    const paymentsBefore = await suite.probe.payments({ agentId: 'user-agent' });
    await suite.stack.network.payment.stop();
    let res;
    try {
      res = await invoke('user-agent', 'PRICE_ORACLE', price);
    } finally {
      await suite.stack.network.restartPayment();
    }

    expect(res.status).toBe(503);
    const body = InvokeFailureBody.parse(res.body);
    expect(body).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' }, payment: null, refund: null });
    expect(body.decision).toMatchObject({ action: 'ALLOWED', serviceId: 'PRICE_ORACLE' });
    expect(spendOf(await suite.probe.agent('user-agent'))).toEqual({
      spentToday: before.spentToday,
      reserved: sumMoney([before.reserved, '0.05']),
    });
    expect(await suite.probe.payments({ agentId: 'user-agent' })).toHaveLength(paymentsBefore.length);

    expect((await invoke('user-agent', 'PRICE_ORACLE', price)).status).toBe(200);
  });

  it('answers 503 when the policy is down, and nothing is held or paid', async () => {
    const paymentsBefore = await suite.probe.payments({ agentId: 'user-agent' });
    const before = await suite.probe.agent('user-agent');
    await suite.stack.stop('policy');
    let res;
    try {
      res = await invoke('user-agent', 'PRICE_ORACLE', price);
    } finally {
      await suite.stack.start('policy');
    }

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(res.body).not.toHaveProperty('decision');
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.ts:\d+/);
    expect(await suite.probe.payments({ agentId: 'user-agent' })).toHaveLength(paymentsBefore.length);
    expect(spendOf(await suite.probe.agent('user-agent'))).toEqual(spendOf(before));
  });

  it('tells the chat which call failed when a provider is down, before any payment, and charges nothing', async () => {
    const before = await suite.probe.agent('user-agent');
    await suite.stack.stop('price-oracle');
    let res;
    try {
      res = await suite.gw.http.post('/chat').set(suite.gw.auth('user-agent')).send({ message: 'price of ETH' });
    } finally {
      await suite.stack.start('price-oracle');
    }

    expect(res.status).toBe(200);
    const { reply, toolCalls } = ChatResponse.parse(res.body);
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0]).toMatchObject({
      tool: 'get_price',
      decision: { action: 'ALLOWED' },
      payment: null,
      result: null,
      error: { code: 'PRECHECK_UNAVAILABLE' },
      refund: null,
    });
    expect(reply).toContain('could not check the input before payment; the hold was released and nothing was paid. Nothing was charged.');
    expect(reply).toContain('Spent in this request: 0.00 MNEE');
    expect(spendOf(await suite.probe.agent('user-agent'))).toEqual(spendOf(before));
  });

  it('answers the chat with a clean 503 when the policy is down, and nothing is paid', async () => {
    const paymentsBefore = await suite.probe.payments({ agentId: 'user-agent' });
    await suite.stack.stop('policy');
    let res;
    try {
      res = await suite.gw.http.post('/chat').set(suite.gw.auth('user-agent')).send({ message: 'price of ETH' });
    } finally {
      await suite.stack.start('policy');
    }

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.ts:\d+/);
    expect(await suite.probe.payments({ agentId: 'user-agent' })).toHaveLength(paymentsBefore.length);
  });

  it('serves paid calls while the logger is down, and every decision and payment reaches the audit trail once it is back', async () => {
    await suite.gw.gateway.outbox.flush();
    const statsBefore = await suite.probe.stats({ agentId: 'ops-agent' });

    await suite.stack.stop('logger');
    const answers: InvokeAnswer[] = [];
    try {
      for (const base of ['ETH', 'BTC', 'SOL']) {
        const res = await invoke('ops-agent', 'PRICE_ORACLE', { input: { base } });
        expect(res.status).toBe(200);
        answers.push(InvokeAnswer.parse(res.body));
      }
      const rejected = await invoke('ops-agent', 'BATCH_COMPUTE', { input: { kind: 'primes', below: 100 } });
      expect(rejected.status).toBe(200);
      answers.push(InvokeAnswer.parse(rejected.body));
      expect((await suite.gw.http.get('/policy/logs').set(suite.gw.auth('admin'))).status).toBeGreaterThanOrEqual(502);
    } finally {
      await suite.stack.start('logger');
    }

    const paid = answers.flatMap((answer) => (answer.payment ? [answer.payment] : []));
    expect(paid).toHaveLength(3);
    expect(answers.map((answer) => answer.decision.action)).toEqual(['ALLOWED', 'ALLOWED', 'ALLOWED', 'REJECTED']);

    // The outbox delivers on its own once the logger is back: no flush here.
    const decisions = await waitFor(
      'the outage decisions in GET /policy/logs',
      async () => {
        const logged = await suite.probe.decisions({ agentId: 'ops-agent' });
        const ids = new Set(logged.map((entry) => entry.id));
        return answers.every((answer) => ids.has(answer.decision.id)) ? logged : undefined;
      },
      POLL,
    );
    for (const answer of answers)
      expect(decisions.find((entry) => entry.id === answer.decision.id)).toMatchObject({
        action: answer.decision.action,
        reason: answer.decision.reason,
        amount: answer.decision.amount,
        serviceId: answer.decision.serviceId,
      });

    const stats = await waitFor(
      'the outage payments in GET /stats',
      async () => {
        const now = await suite.probe.stats({ agentId: 'ops-agent' });
        return now.transactions.total === statsBefore.transactions.total + paid.length &&
          now.policy.total === statsBefore.policy.total + answers.length
          ? now
          : undefined;
      },
      POLL,
    );
    expect(stats.transactions.successful).toBe(statsBefore.transactions.successful + 3);
    expect(stats.policy).toMatchObject({
      allowed: statsBefore.policy.allowed + 3,
      rejected: statsBefore.policy.rejected + 1,
      downgraded: statsBefore.policy.downgraded,
    });
    expect(stats.spendByAgent['ops-agent']).toBe(
      sumMoney([statsBefore.spendByAgent['ops-agent'] ?? '0.00', sumMoney(paid.map((p) => p.amount))]),
    );

    // GET /transactions (the ledger) and GET /stats (the audit trail) tell the same story.
    const ledger = await suite.probe.payments({ agentId: 'ops-agent' });
    for (const payment of paid) expect(ledger.find((entry) => entry.id === payment.id)).toMatchObject({ status: 'MOCK', amount: '0.05' });
    const net = sumMoney(ledger.filter((p) => p.status === 'MOCK' || p.status === 'SUCCESS').map((p) => p.amount));
    expect(stats.spendByAgent['ops-agent']).toBe(net);
    expect(stats.transactions.total).toBe(ledger.filter((p) => p.status !== 'PENDING').length);
  });

  it('keeps no hold and no charge for a provider killed mid-call (SIGKILL), however far the call got', async () => {
    const before = await suite.probe.agent('user-agent');
    const paymentsBefore = new Set((await suite.stack.payments.list({ agentId: 'user-agent', limit: 200 })).items.map((p) => p.id));
    const call = invoke('user-agent', 'IMAGE_GEN', { input: { prompt: 'a lighthouse in a storm', width: 1024, height: 1024 } });
    // Kill the provider as soon as the call is paid: while the gateway calls it, or while it renders.
    const killed = (async () => {
      await waitFor(
        'the image payment',
        async () => (await suite.stack.payments.list({ agentId: 'user-agent', limit: 200 })).items.some((p) => !paymentsBefore.has(p.id)),
        POLL,
      );
      await suite.stack.kill('image-gen');
    })();
    const res = await call;
    await killed;
    await suite.stack.start('image-gen');

    const after = await suite.probe.agent('user-agent');
    expect(after.reserved).toBe(before.reserved);
    if (res.status === 200) {
      // It finished before the kill: paid and served.
      expect(InvokeAnswer.parse(res.body).payment).toMatchObject({ status: 'MOCK', amount: '0.50' });
      expect(after.spentToday).toBe(sumMoney([before.spentToday, '0.50']));
    } else {
      expect(res.status).toBe(503);
      const body = InvokeFailureBody.parse(res.body);
      expect(body.error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(body.refund).toMatchObject({ status: 'REFUNDED' });
      expect((await suite.stack.payments.get(body.payment?.id ?? '')).status).toBe('REFUNDED');
      expect(after.spentToday).toBe(before.spentToday);
    }

    const again = await invoke('user-agent', 'IMAGE_GEN', { input: { prompt: 'a calm sea', width: 64, height: 64 } });
    expect(again.status).toBe(200);
  });
});
