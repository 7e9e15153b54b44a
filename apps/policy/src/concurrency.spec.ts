import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import type { Agent, Decision } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

/**
 * QUOTE costs 0.05: the HIGH agent's 5.00 budget fits exactly 100 of them, and
 * so does the 5.00 of the 1000.00 treasury that the reserve leaves to LOW agents.
 */
function exactFitConfig() {
  const config = ruleTestConfig({ treasury: { dailyLimit: '1000.00' }, reserve: { highShare: 0.995, restrictedPriorities: ['LOW'] } });
  config.agents = config.agents.map((a) => (a.id === 'high' ? { ...a, dailyBudget: '5.00' } : a));
  return config;
}

const headers = { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' };

async function post(url: string, body: unknown): Promise<{ status: number; body: Decision }> {
  const res = await fetch(`${url}/decisions`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Decision };
}

async function agent(url: string, id: string): Promise<Agent> {
  return (await (await fetch(`${url}/agents/${id}`, { headers })).json()) as Agent;
}

describe.each(['sqlite', 'postgres'] as const)('concurrent decisions on %s', (dialect) => {
  let database: TemporaryPostgres | undefined;
  let instances: PolicyUnderTest[] = [];
  let now: Date | undefined;

  beforeEach(async () => {
    now = undefined;
    database = dialect === 'postgres' ? await createTemporaryPostgres() : undefined;
    // PostgreSQL: two policy instances (own pools, own ports) sharing one database.
    const count = dialect === 'postgres' ? 2 : 1;
    instances = [];
    for (let i = 0; i < count; i += 1) {
      const instance = await createPolicyUnderTest({
        config: exactFitConfig(),
        databaseUrl: database?.url,
        clock: () => now ?? new Date(),
      });
      await instance.listen();
      instances.push(instance);
    }
  });
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.close()));
    await database?.drop();
  });

  const urlFor = (n: number) => instances[n % instances.length]?.url ?? '';

  it('reserves exactly 100 of 500 concurrent calls that fit the budget 100 times, never more', async () => {
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, n) => post(urlFor(n), { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: `call-${n}` })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const allowed = results.filter((r) => r.body.action === 'ALLOWED');
    const rejected = results.filter((r) => r.body.action === 'REJECTED');
    expect(allowed).toHaveLength(100);
    expect(rejected).toHaveLength(400);
    expect(new Set(rejected.map((r) => r.body.reason))).toEqual(new Set(['DAILY_BUDGET_EXCEEDED']));
    expect(new Set(allowed.map((r) => r.body.reservationId)).size).toBe(100);
    for (const n of instances.keys()) {
      expect(await agent(urlFor(n), 'high')).toMatchObject({ spentToday: '0.00', reserved: '5.00', remaining: '0.00' });
    }
  });

  it('lets LOW agents together take exactly what the HIGH reserve leaves them, never more', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, n) => post(urlFor(n), { agentId: 'low', serviceId: 'QUOTE', idempotencyKey: `low-${n}` })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.filter((r) => r.body.action === 'ALLOWED')).toHaveLength(100);
    expect(new Set(results.filter((r) => r.body.action === 'REJECTED').map((r) => r.body.reason))).toEqual(
      new Set(['PRIORITY_RESERVE_EXCEEDED']),
    );
    expect(await agent(urlFor(0), 'low')).toMatchObject({ reserved: '5.00', remaining: '5.00' });
  });

  it('never lets commits and new holds together pass the budget', async () => {
    const first = await Promise.all(
      Array.from({ length: 60 }, (_, n) => post(urlFor(n), { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: `a-${n}` })),
    );
    // Commit half of the holds while 200 more decisions race them.
    const commits = first
      .slice(0, 30)
      .map((r, n) => fetch(`${urlFor(n)}/reservations/${r.body.reservationId}/commit`, { method: 'POST', headers, body: '{}' }));
    const second = Promise.all(
      Array.from({ length: 200 }, (_, n) => post(urlFor(n), { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: `b-${n}` })),
    );
    const [settled, more] = await Promise.all([Promise.all(commits), second]);
    expect(settled.every((r) => r.status === 200)).toBe(true);
    expect(more.filter((r) => r.body.action === 'ALLOWED')).toHaveLength(40);
    expect(await agent(urlFor(0), 'high')).toMatchObject({ spentToday: '1.50', reserved: '3.50', remaining: '0.00' });
  });

  it('never lets concurrent holds pass a weekly window that earlier days already used', async () => {
    now = new Date('2030-01-07T12:00:00.000Z'); // a Monday
    const put = await fetch(`${urlFor(0)}/agents/medium/budget`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ weeklyBudget: '5.00' }),
    });
    expect(put.status).toBe(200);
    // Monday: 3.00 spent (60 × 0.05), committed.
    for (let n = 0; n < 60; n += 1) {
      const decided = await post(urlFor(n), { agentId: 'medium', serviceId: 'QUOTE', idempotencyKey: `monday-${n}` });
      await fetch(`${urlFor(n)}/reservations/${decided.body.reservationId}/commit`, { method: 'POST', headers, body: '{}' });
    }
    // Tuesday: a whole daily budget of 10.00, but 2.00 left of the week, which 40 calls fill.
    now = new Date('2030-01-08T12:00:00.000Z');
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, n) => post(urlFor(n), { agentId: 'medium', serviceId: 'QUOTE', idempotencyKey: `tuesday-${n}` })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.filter((r) => r.body.action === 'ALLOWED')).toHaveLength(40);
    expect(new Set(results.filter((r) => r.body.action === 'REJECTED').map((r) => r.body.reason))).toEqual(
      new Set(['WEEKLY_BUDGET_EXCEEDED']),
    );
    expect((await agent(urlFor(1), 'medium')).windows.find((w) => w.window === 'weekly')).toMatchObject({
      spent: '3.00',
      reserved: '2.00',
      remaining: '0.00',
    });
  });

  it('makes one reservation of the same idempotency key sent 50 times at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) => post(urlFor(n), { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'the-same-key' })),
    );
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.reservationId)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.body.replayed)).toHaveLength(49);
    expect((await agent(urlFor(0), 'high')).reserved).toBe('0.05');
  });

  it('rolls the period over exactly once when concurrent calls cross the boundary', async () => {
    now = new Date('2030-01-01T23:59:59.000Z');
    const before = await post(urlFor(0), { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'before-midnight' });
    const next = before.body.periodId + 1;
    now = new Date('2030-01-02T00:00:01.000Z');
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, n) => post(urlFor(n), { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: `after-${n}` })),
    );
    expect(results.every((r) => r.status === 201 && r.body.action === 'ALLOWED')).toBe(true);
    expect(new Set(results.map((r) => r.body.periodId))).toEqual(new Set([next]));
    const period = await (await fetch(`${urlFor(1)}/period`, { headers })).json();
    expect(period).toEqual({ id: next, startedAt: '2030-01-02T00:00:00.000Z', endsAt: '2030-01-03T00:00:00.000Z' });
    expect(await agent(urlFor(0), 'high')).toMatchObject({ reserved: '5.00', periodId: next });
  });
});
