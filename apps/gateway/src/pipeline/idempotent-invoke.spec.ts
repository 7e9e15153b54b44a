import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeAnswer, InvokeFailureBody, sumMoney } from '@nexus/types';
import { createGatewayUnderTest } from '../testing/gateway-under-test';
import { useGatewayOverStack } from '../testing/gateway-suite';

jest.setTimeout(120_000);

/** `Idempotency-Key` on POST /tools/:serviceId/invoke, against the real policy, payment and providers. */
describe('idempotent invoke', () => {
  const suite = useGatewayOverStack();

  const newKey = () => `key-${randomUUID()}`;
  const invoke = (who: string, serviceId: string, body: object, key?: string) => {
    const call = suite.gw.http.post(`/tools/${serviceId}/invoke`).set(suite.gw.auth(who));
    return (key === undefined ? call : call.set('Idempotency-Key', key)).send(body);
  };
  const priceOf = (base: string) => ({ input: { base } });
  const paymentsOfDecision = async (agentId: string, decisionId: string) =>
    (await suite.probe.payments({ agentId })).filter((payment) => payment.decisionId === decisionId);

  it('answers a retry with the same key with the first answer, marked replayed, and charges once', async () => {
    const before = await suite.probe.agent('user-agent');
    const key = newKey();

    const first = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBe('false');
    const answer = InvokeAnswer.parse(first.body);
    expect(answer).toMatchObject({ decision: { action: 'ALLOWED', amount: '0.05' }, payment: { status: 'MOCK', amount: '0.05' } });
    expect(answer.result).toMatchObject({ base: 'ETH', quote: 'USD' });

    const second = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);

    expect(await paymentsOfDecision('user-agent', answer.decision.id)).toHaveLength(1);
    const after = await suite.probe.agent('user-agent');
    expect(after.spentToday).toBe(sumMoney([before.spentToday, '0.05']));
    expect(after.reserved).toBe(before.reserved);
  });

  it('makes one paid call out of ten concurrent requests with one key; the others are told it is running or get its answer', async () => {
    const before = await suite.probe.agent('user-agent');
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 10 }, () => invoke('user-agent', 'PRICE_ORACLE', priceOf('BTC'), key)));

    const served = responses.filter((res) => res.status === 200);
    const busy = responses.filter((res) => res.status === 409);
    expect(served.length + busy.length).toBe(10);
    expect(served.length).toBeGreaterThanOrEqual(1);
    for (const res of busy) expect(res.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_IN_USE' } });
    const answers = served.map((res) => InvokeAnswer.parse(res.body));
    const decisionIds = new Set(answers.map((answer) => answer.decision.id));
    const paymentIds = new Set(answers.map((answer) => answer.payment?.id));
    expect(decisionIds.size).toBe(1);
    expect(paymentIds.size).toBe(1);
    expect(served.filter((res) => res.headers['idempotent-replayed'] === 'false')).toHaveLength(1);

    const [decisionId] = [...decisionIds];
    expect(await paymentsOfDecision('user-agent', decisionId ?? '')).toHaveLength(1);
    const after = await suite.probe.agent('user-agent');
    expect(after.spentToday).toBe(sumMoney([before.spentToday, '0.05']));
    expect(after.reserved).toBe(before.reserved);

    // Once the first attempt is done, a late retry gets its answer too.
    const late = await invoke('user-agent', 'PRICE_ORACLE', priceOf('BTC'), key);
    expect(late.status).toBe(200);
    expect(late.headers['idempotent-replayed']).toBe('true');
    expect(InvokeAnswer.parse(late.body).payment?.id).toBe([...paymentIds][0]);
  });

  it('refuses the same key with a different input with 422 and moves no money', async () => {
    const key = newKey();
    expect((await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key)).status).toBe(200);
    const before = await suite.probe.agent('user-agent');
    const paymentsBefore = await suite.probe.payments({ agentId: 'user-agent' });

    const other = await invoke('user-agent', 'PRICE_ORACLE', priceOf('SOL'), key);
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    const sameInputOtherVariant = await invoke('user-agent', 'PRICE_ORACLE', { variant: 'query', ...priceOf('ETH') }, key);
    expect(sameInputOtherVariant.status).toBe(422);

    expect(await suite.probe.agent('user-agent')).toEqual(before);
    expect(await suite.probe.payments({ agentId: 'user-agent' })).toHaveLength(paymentsBefore.length);
  });

  it('keeps the keys of two agents apart: the same key makes two separate calls', async () => {
    const key = newKey();
    const user = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    const ops = await invoke('ops-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    expect(user.status).toBe(200);
    expect(ops.status).toBe(200);
    expect(ops.headers['idempotent-replayed']).toBe('false');
    const [a, b] = [InvokeAnswer.parse(user.body), InvokeAnswer.parse(ops.body)];
    expect(a.decision.agentId).toBe('user-agent');
    expect(b.decision.agentId).toBe('ops-agent');
    expect(a.decision.id).not.toBe(b.decision.id);
    expect(a.payment?.id).not.toBe(b.payment?.id);
    expect(await paymentsOfDecision('user-agent', a.decision.id)).toHaveLength(1);
    expect(await paymentsOfDecision('ops-agent', b.decision.id)).toHaveLength(1);
    expect((await suite.probe.agent('user-agent')).spentToday).toBe('0.05');
    expect((await suite.probe.agent('ops-agent')).spentToday).toBe('0.05');
  });

  it('replays a rejected answer as rejected, with nothing paid', async () => {
    const key = newKey();
    const body = { input: { kind: 'primes', below: 100 } };
    const first = await invoke('user-agent', 'BATCH_COMPUTE', body, key);
    expect(first.status).toBe(200);
    const answer = InvokeAnswer.parse(first.body);
    expect(answer).toMatchObject({ decision: { action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' }, payment: null, result: null });

    const second = await invoke('user-agent', 'BATCH_COMPUTE', body, key);
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await paymentsOfDecision('user-agent', answer.decision.id)).toHaveLength(0);
    expect(await suite.probe.agent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
  });

  it('lets a key whose first attempt failed before any decision (policy down) be retried, and the retry is paid once', async () => {
    const key = newKey();
    await suite.stack.stop('policy');
    let down;
    try {
      down = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    } finally {
      await suite.stack.start('policy');
    }
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(InvokeFailureBody.safeParse(down.body).success).toBe(false); // no decision was made, so there is none to show

    const retry = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('false');
    const answer = InvokeAnswer.parse(retry.body);
    expect(answer).toMatchObject({ decision: { action: 'ALLOWED' }, payment: { status: 'MOCK', amount: '0.05' } });
    expect(await paymentsOfDecision('user-agent', answer.decision.id)).toHaveLength(1);
    expect(await suite.probe.agent('user-agent')).toMatchObject({ spentToday: '0.05', reserved: '0.00' });

    const again = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(retry.body);
  });

  it('replays a call that failed after its decision (provider down at its precheck, nothing paid) as that failure, even once the provider is back', async () => {
    const key = newKey();
    await suite.stack.stop('price-oracle');
    let first;
    try {
      first = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    } finally {
      await suite.stack.start('price-oracle');
    }
    expect(first.status).toBe(503);
    const failure = InvokeFailureBody.parse(first.body);
    expect(failure).toMatchObject({ error: { code: 'PRECHECK_UNAVAILABLE' }, payment: null, refund: null });

    const retry = await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), key);
    expect(retry.status).toBe(503);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await paymentsOfDecision('user-agent', failure.decision.id)).toEqual([]);
    expect(await suite.probe.agent('user-agent')).toMatchObject({ spentToday: '0.00', reserved: '0.00' });

    // A new key is a new call.
    expect((await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'), newKey())).status).toBe(200);
  });

  it('resumes a call whose answer was unknown (503: the payment service was away) on a retry with the same key, and serves it once', async () => {
    const before = await suite.probe.agent('user-agent');
    const key = newKey();
    await suite.stack.network.payment.stop();
    let first;
    try {
      first = await invoke('user-agent', 'PRICE_ORACLE', priceOf('BTC'), key);
    } finally {
      await suite.stack.network.restartPayment();
    }
    expect(first.status).toBe(503);
    const decisionId = InvokeFailureBody.parse(first.body).decision.id;
    // Unknown: the hold stays counted, and the answer is not kept as final.
    expect(await suite.probe.agent('user-agent')).toMatchObject({
      spentToday: before.spentToday,
      reserved: sumMoney([before.reserved, '0.05']),
    });

    const resumed = await invoke('user-agent', 'PRICE_ORACLE', priceOf('BTC'), key);
    expect(resumed.status).toBe(200);
    expect(resumed.headers['idempotent-replayed']).toBe('false');
    const answer = InvokeAnswer.parse(resumed.body);
    expect(answer).toMatchObject({ decision: { id: decisionId }, payment: { status: 'MOCK' }, result: { base: 'BTC' } });

    const replay = await invoke('user-agent', 'PRICE_ORACLE', priceOf('BTC'), key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(resumed.body);
    expect(await paymentsOfDecision('user-agent', decisionId)).toHaveLength(1);
    expect(await suite.probe.agent('user-agent')).toMatchObject({
      spentToday: sumMoney([before.spentToday, '0.05']),
      reserved: before.reserved,
    });
  });

  it('keeps the answer of a key across a restart of the gateway (its own store)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nexus-gateway-restart-'));
    const key = newKey();
    const before = await createGatewayUnderTest(suite.stack, { dataDir });
    let first;
    try {
      first = await before.http
        .post('/tools/PRICE_ORACLE/invoke')
        .set(before.auth('user-agent'))
        .set('Idempotency-Key', key)
        .send(priceOf('SOL'));
    } finally {
      await before.close();
    }
    expect(first.status).toBe(200);

    const after = await createGatewayUnderTest(suite.stack, { dataDir });
    try {
      const retry = await after.http
        .post('/tools/PRICE_ORACLE/invoke')
        .set(after.auth('user-agent'))
        .set('Idempotency-Key', key)
        .send(priceOf('SOL'));
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
    } finally {
      await after.close();
    }
    expect(await suite.probe.agent('user-agent')).toMatchObject({ spentToday: '0.05', reserved: '0.00' });
  });

  it('treats a call without a key as a new call each time', async () => {
    const first = InvokeAnswer.parse((await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'))).body);
    const second = InvokeAnswer.parse((await invoke('user-agent', 'PRICE_ORACLE', priceOf('ETH'))).body);
    expect(first.payment?.id).not.toBe(second.payment?.id);
    expect(await suite.probe.agent('user-agent')).toMatchObject({ spentToday: '0.10', reserved: '0.00' });
  });
});
