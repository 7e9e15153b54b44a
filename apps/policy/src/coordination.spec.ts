import request from 'supertest';
import type { Decision } from '@nexus/types';
import { shippedConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

/** The three coordination problems of the prototype, against the configuration shipped in config/. */
describe('coordination problems with the shipped configuration', () => {
  const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
  let policy: PolicyUnderTest;
  let keys = 0;

  beforeEach(async () => {
    policy = await createPolicyUnderTest({ config: shippedConfig() });
  });
  afterEach(() => policy.close());

  /** One paid call as the gateway will make it: decide, then commit the hold. */
  async function paidCall(agentId: string, serviceId: string, variant?: string): Promise<Decision> {
    const res = await request(policy.app)
      .post('/decisions')
      .set(auth)
      .send({ agentId, serviceId, variant, idempotencyKey: `call-${++keys}` });
    expect(res.status).toBe(201);
    const decision = res.body as Decision;
    if (decision.reservationId) {
      await request(policy.app).post(`/reservations/${decision.reservationId}/commit`).set(auth).send({}).expect(200);
    }
    return decision;
  }
  const agent = async (id: string) => (await request(policy.app).get(`/agents/${id}`).set(auth)).body;

  it("rejects batch-agent's BATCH_COMPUTE once it would eat the reserve kept for user-agent", async () => {
    expect((await paidCall('batch-agent', 'BATCH_COMPUTE')).action).toBe('ALLOWED');
    expect((await paidCall('batch-agent', 'BATCH_COMPUTE')).action).toBe('ALLOWED');
    const third = await paidCall('batch-agent', 'BATCH_COMPUTE');
    expect(third).toMatchObject({ action: 'REJECTED', reason: 'PRIORITY_RESERVE_EXCEEDED', reservationId: null });
    // batch-agent's own budget had room: it is the reserve that said no.
    expect(await agent('batch-agent')).toMatchObject({ spentToday: '3.00', remaining: '3.00' });
    // ...and the interactive user-agent still gets served.
    expect(await paidCall('user-agent', 'IMAGE_GEN')).toMatchObject({ action: 'ALLOWED', variant: 'standard' });
  });

  it('caps every agent, HIGH ones too, at the treasury-wide daily limit, and keeps the reserve for HIGH agents only', async () => {
    // policy.yaml: dailyLimit 8.00, highShare 0.5; the agents' budgets add up to more than the limit.
    await paidCall('batch-agent', 'BATCH_COMPUTE');
    await paidCall('batch-agent', 'BATCH_COMPUTE');
    for (let i = 0; i < 20; i += 1) expect((await paidCall('batch-agent', 'PRICE_ORACLE')).action).toBe('ALLOWED');
    // 4.00 spent outside the reserve: the rest is HIGH agents' only, MEDIUM ones included
    expect(await paidCall('ops-agent', 'PRICE_ORACLE')).toMatchObject({ action: 'REJECTED', reason: 'PRIORITY_RESERVE_EXCEEDED' });
    for (let i = 0; i < 80; i += 1) expect((await paidCall('user-agent', 'PRICE_ORACLE')).action).toBe('ALLOWED');
    // 8.00 spent: user-agent has 1.00 of its budget left, but the treasury has nothing left for anyone
    expect(await agent('user-agent')).toMatchObject({ spentToday: '4.00', remaining: '1.00' });
    expect(await paidCall('user-agent', 'PRICE_ORACLE')).toMatchObject({
      action: 'REJECTED',
      reason: 'TREASURY_LIMIT_EXCEEDED',
      reservationId: null,
    });
  });

  it('downgrades LOG_ARCHIVE to summary-only under budget pressure', async () => {
    expect(await paidCall('ops-agent', 'LOG_ARCHIVE')).toMatchObject({ action: 'ALLOWED', variant: 'full', amount: '0.30' });
    expect(await paidCall('ops-agent', 'LOG_ARCHIVE')).toMatchObject({ action: 'ALLOWED', variant: 'full', amount: '0.30' });
    expect(await paidCall('ops-agent', 'LOG_ARCHIVE')).toMatchObject({
      action: 'DOWNGRADED',
      reason: 'BUDGET_PRESSURE_DOWNGRADE',
      requestedVariant: null,
      variant: 'summary',
      amount: '0.05',
    });
    expect(await agent('ops-agent')).toMatchObject({ spentToday: '0.65', remaining: '0.35' });
  });

  it('charges PRICE_ORACLE per query, and the cost adds up', async () => {
    for (let i = 0; i < 12; i += 1) {
      expect(await paidCall('user-agent', 'PRICE_ORACLE')).toMatchObject({ action: 'ALLOWED', amount: '0.05' });
    }
    expect(await agent('user-agent')).toMatchObject({ spentToday: '0.60', reserved: '0.00', remaining: '4.40' });
  });
});
