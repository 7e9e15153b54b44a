import request from 'supertest';
import { authAs } from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import type { Decision, TreasuryLimit } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

/**
 * GET /treasury: the treasury's standing against the daily limit (20.00) and
 * the part kept for HIGH agents (a quarter: 5.00). COMPUTE costs 1.50.
 */
describe.each(['sqlite', 'postgres'] as const)('the treasury standing on %s', (dialect) => {
  let database: TemporaryPostgres | undefined;
  let policy: PolicyUnderTest;
  let now = new Date('2026-03-10T12:00:00Z');
  let keys = 0;
  const api = () => request(policy.app);

  beforeEach(async () => {
    database = dialect === 'postgres' ? await createTemporaryPostgres() : undefined;
    policy = await createPolicyUnderTest({ config: ruleTestConfig(), databaseUrl: database?.url, clock: () => now });
  });
  afterEach(async () => {
    await policy.close();
    await database?.drop();
  });

  const standing = async (): Promise<TreasuryLimit> => {
    const response = await api().get('/treasury').set(authAs('gateway'));
    expect(response.status).toBe(200);
    return response.body as TreasuryLimit;
  };
  const decide = async (agentId: string): Promise<Decision> => {
    const response = await api()
      .post('/decisions')
      .set(authAs('gateway'))
      .send({ agentId, serviceId: 'COMPUTE', idempotencyKey: `call-${++keys}` });
    expect(response.status).toBe(201);
    return response.body as Decision;
  };
  const commit = async (decision: Decision) => {
    const response = await api()
      .post(`/reservations/${String(decision.reservationId)}/commit`)
      .set(authAs('payment'))
      .send({ amount: decision.amount });
    expect(response.status).toBe(200);
  };

  it('starts at nothing used, with the period’s end', async () => {
    expect(await standing()).toEqual({
      periodEndsAt: '2026-03-11T00:00:00.000Z',
      dailyLimit: '20.00',
      spent: '0.00',
      reserved: '0.00',
      remaining: '20.00',
      highReserve: '5.00',
      highReserveLeft: '5.00',
    });
  });

  it('moves with a hold (reserved), its commit (spent), and a HIGH agent’s use (highReserveLeft)', async () => {
    const medium = await decide('medium');
    expect(await standing()).toMatchObject({ spent: '0.00', reserved: '1.50', remaining: '18.50', highReserveLeft: '5.00' });

    await commit(medium);
    expect(await standing()).toMatchObject({ spent: '1.50', reserved: '0.00', remaining: '18.50', highReserveLeft: '5.00' });

    const high = await decide('high');
    expect(await standing()).toMatchObject({ spent: '1.50', reserved: '1.50', remaining: '17.00', highReserveLeft: '3.50' });

    await commit(high);
    expect(await standing()).toMatchObject({ spent: '3.00', reserved: '0.00', remaining: '17.00', highReserveLeft: '3.50' });
  });

  it('drops a hold past its expiry at once', async () => {
    await decide('high');
    now = new Date(now.getTime() + 121_000);
    expect(await standing()).toMatchObject({ spent: '0.00', reserved: '0.00', remaining: '20.00', highReserveLeft: '5.00' });
  });

  it('answers the gateway and the operator, and refuses the payment service', async () => {
    expect((await api().get('/treasury').set(authAs('operator'))).status).toBe(200);
    const refused = await api().get('/treasury').set(authAs('payment'));
    expect({ status: refused.status, code: refused.body?.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN_CALLER' });
  });
});
