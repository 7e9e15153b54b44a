import request from 'supertest';
import { authAs } from '@nexus/service-kit/testing';
import type { ServiceCaller } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

/** What the agent `high` looks like before anyone touches it. */
const UNTOUCHED = { dailyBudget: '10.00', paused: false, periodId: 1, reserved: '0.00' };

describe('the policy service gives each caller only what it needs', () => {
  let policy: PolicyUnderTest;
  const api = () => request(policy.app);
  const agent = async () => (await api().get('/agents/high').set(authAs('gateway'))).body as Record<string, unknown>;
  let keys = 0;

  beforeEach(async () => {
    policy = await createPolicyUnderTest({ config: ruleTestConfig() });
  });
  afterEach(() => policy.close());

  const changes: [string, string, Record<string, unknown>][] = [
    ['PUT', '/agents/high/budget', { dailyBudget: '100000.00' }],
    ['POST', '/agents/high/pause', {}],
    ['POST', '/agents/high/resume', {}],
    ['POST', '/period/reset', {}],
    ['POST', '/decisions', { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'forged-hold' }],
    ['POST', '/decisions/simulate', { agentId: 'high', serviceId: 'QUOTE' }],
  ];
  const send = (method: string, path: string, body: Record<string, unknown>, caller: ServiceCaller) =>
    (method === 'PUT' ? api().put(path) : api().post(path)).set(authAs(caller)).send(body);

  it.each(
    changes.flatMap(([method, path, body]) => (['payment', 'operator'] as const).map((caller) => [caller, method, path, body] as const)),
  )('refuses %s on %s %s with 403 FORBIDDEN_CALLER, and changes nothing', async (caller, method, path, body) => {
    const response = await send(method, path, body, caller);
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN_CALLER' });
    expect(await agent()).toMatchObject(UNTOUCHED);
  });

  it.each(changes.map(([method, path, body]) => [method, path, body] as const))(
    "does not know a provider's credential at all: 401 on %s %s, and nothing changes",
    async (method, path, body) => {
      for (const provider of ['image-gen', 'price-oracle', 'batch-compute', 'log-archive'] as const) {
        const response = await send(method, path, body, provider);
        expect({ provider, status: response.status, code: response.body?.error?.code }).toEqual({
          provider,
          status: 401,
          code: 'UNAUTHORIZED',
        });
      }
      expect(await agent()).toMatchObject(UNTOUCHED);
    },
  );

  it('lets the gateway change budgets and periods, and the payment service commit a hold the gateway took', async () => {
    const budget = await api().put('/agents/high/budget').set(authAs('gateway')).send({ dailyBudget: '12.00' });
    expect(budget.status).toBe(200);
    const decision = await api()
      .post('/decisions')
      .set(authAs('gateway'))
      .send({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: `hold-${++keys}` });
    expect(decision.status).toBe(201);
    const reservationId = String(decision.body.reservationId);
    const committed = await api()
      .post(`/reservations/${reservationId}/commit`)
      .set(authAs('payment'))
      .send({ amount: decision.body.amount });
    expect(committed.body).toMatchObject({ status: 'COMMITTED' });
  });

  it('lets only the payment service keep a hold past its expiry (pin): the gateway and the operator get 403', async () => {
    const decision = await api()
      .post('/decisions')
      .set(authAs('gateway'))
      .send({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: `hold-${++keys}` });
    const path = `/reservations/${String(decision.body.reservationId)}/pin`;
    for (const caller of ['gateway', 'operator'] as const) {
      const refused = await api().post(path).set(authAs(caller)).send({});
      expect({ caller, status: refused.status, code: refused.body?.error?.code }).toEqual({
        caller,
        status: 403,
        code: 'FORBIDDEN_CALLER',
      });
    }
    const pinned = await api().post(path).set(authAs('payment')).send({});
    expect(pinned.status).toBe(200);
    expect(Date.parse(pinned.body.expiresAt)).toBeGreaterThan(Date.parse(String(decision.body.expiresAt)) + 3_600_000);
  });

  it('lets only the gateway commit holds in a batch (its commit queue): the payment service and the operator get 403', async () => {
    const decision = await api()
      .post('/decisions')
      .set(authAs('gateway'))
      .send({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: `hold-${++keys}` });
    const reservationId = String(decision.body.reservationId);
    const body = { commits: [{ reservationId }] };
    for (const caller of ['payment', 'operator'] as const) {
      const refused = await api().post('/reservations/commits').set(authAs(caller)).send(body);
      expect({ caller, status: refused.status, code: refused.body?.error?.code }).toEqual({
        caller,
        status: 403,
        code: 'FORBIDDEN_CALLER',
      });
    }
    expect((await api().get(`/reservations/${reservationId}`).set(authAs('gateway'))).body.status).toBe('HELD');
    const committed = await api().post('/reservations/commits').set(authAs('gateway')).send(body);
    expect(committed.body.results).toEqual([{ reservationId, reservation: expect.objectContaining({ status: 'COMMITTED' }) }]);
  });

  it('lets the operator read agents, decisions, holds and the period, and nothing else', async () => {
    for (const path of ['/agents', '/agents/high', '/decisions', '/reservations', '/period']) {
      expect({ path, status: (await api().get(path).set(authAs('operator'))).status }).toEqual({ path, status: 200 });
    }
  });
});
