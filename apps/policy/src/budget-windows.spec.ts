import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import type { Agent, Decision } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

/**
 * Weekly and monthly windows follow the calendar of policy.yaml's time zone
 * (America/New_York here): weeks from Monday 00:00 local time, months from the
 * 1st, across daylight-saving changes and month ends. COMPUTE costs 1.50, one
 * variant: the agent's window budget of 1.50 fits exactly one call, so the
 * next is refused until the window resets.
 */
function windowConfig(rollover = false) {
  const config = ruleTestConfig({
    period: { length: 'daily', timeZone: 'America/New_York' },
    rollover: { enabled: rollover, maxCarry: '2.00' },
  });
  config.agents = config.agents.map((a) =>
    a.id === 'high' ? { ...a, weeklyBudget: '1.50' } : a.id === 'medium' ? { ...a, monthlyBudget: '1.50' } : a,
  );
  return config;
}

const headers = { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' };

describe.each(['sqlite', 'postgres'] as const)('budget windows on %s', (dialect) => {
  let database: TemporaryPostgres | undefined;
  let policy: PolicyUnderTest | undefined;
  let now = new Date();
  let sequence = 0;

  beforeEach(async () => {
    database = dialect === 'postgres' ? await createTemporaryPostgres() : undefined;
  });
  const start = async (at: string, rollover = false) => {
    now = new Date(at);
    policy = await createPolicyUnderTest({ config: windowConfig(rollover), databaseUrl: database?.url, clock: () => now });
    await policy.listen();
  };
  afterEach(async () => {
    await policy?.close();
    policy = undefined;
    await database?.drop();
  });

  const url = () => policy?.url ?? '';
  async function decide(agentId: string, at: string, serviceId = 'COMPUTE'): Promise<Decision> {
    now = new Date(at);
    sequence += 1;
    const res = await fetch(`${url()}/decisions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ agentId, serviceId, idempotencyKey: `call-${sequence}` }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Decision;
  }
  /** Decides and commits: the spend stays, whatever the clock does to holds afterwards. */
  async function spend(agentId: string, at: string, serviceId = 'COMPUTE'): Promise<Decision> {
    const decision = await decide(agentId, at, serviceId);
    expect(decision.action).toBe('ALLOWED');
    const res = await fetch(`${url()}/reservations/${decision.reservationId ?? ''}/commit`, { method: 'POST', headers, body: '{}' });
    expect(res.status).toBe(200);
    return decision;
  }
  async function agent(id: string): Promise<Agent> {
    return (await (await fetch(`${url()}/agents/${id}`, { headers })).json()) as Agent;
  }
  const windowOf = async (id: string, window: string) => (await agent(id)).windows.find((w) => w.window === window);

  describe('weekly, across daylight-saving changes', () => {
    it('spring forward (2026-03-08): the week of the change runs to Monday 00:00 EDT, then resets', async () => {
      await start('2026-03-08T16:00:00.000Z'); // Sunday noon EDT
      await spend('high', '2026-03-08T16:00:00.000Z');
      // The week began Monday 00:00 EST (05:00Z) and ends Monday 00:00 EDT (04:00Z): 167 hours.
      expect(await windowOf('high', 'weekly')).toEqual({
        window: 'weekly',
        startsAt: '2026-03-02T05:00:00.000Z',
        endsAt: '2026-03-09T04:00:00.000Z',
        budget: '1.50',
        spent: '1.50',
        reserved: '0.00',
        remaining: '0.00',
      });
      // Sunday 23:59:59 EDT: a new day (its own budget is whole) but the same week.
      expect(await decide('high', '2026-03-09T03:59:59.000Z')).toMatchObject({ action: 'REJECTED', reason: 'WEEKLY_BUDGET_EXCEEDED' });
      // Monday 00:00 EDT: a new week.
      expect(await decide('high', '2026-03-09T04:00:00.000Z')).toMatchObject({ action: 'ALLOWED' });
      expect(await windowOf('high', 'weekly')).toMatchObject({
        startsAt: '2026-03-09T04:00:00.000Z',
        endsAt: '2026-03-16T04:00:00.000Z',
        spent: '0.00',
        reserved: '1.50',
      });
    });

    it('fall back (2026-11-01): the week of the change runs to Monday 00:00 EST, then resets', async () => {
      await start('2026-11-01T17:00:00.000Z'); // Sunday noon EST
      await spend('high', '2026-11-01T17:00:00.000Z');
      expect(await windowOf('high', 'weekly')).toMatchObject({ startsAt: '2026-10-26T04:00:00.000Z', endsAt: '2026-11-02T05:00:00.000Z' });
      // 04:30Z is still Sunday (23:30 EST): the same week.
      expect(await decide('high', '2026-11-02T04:30:00.000Z')).toMatchObject({ action: 'REJECTED', reason: 'WEEKLY_BUDGET_EXCEEDED' });
      expect(await decide('high', '2026-11-02T05:00:00.000Z')).toMatchObject({ action: 'ALLOWED' });
    });

    it('counts every day of the week: spend of Monday still holds on Sunday', async () => {
      await start('2026-05-04T14:00:00.000Z'); // Monday
      await spend('high', '2026-05-04T14:00:00.000Z');
      expect(await decide('high', '2026-05-10T14:00:00.000Z')).toMatchObject({ action: 'REJECTED', reason: 'WEEKLY_BUDGET_EXCEEDED' });
      expect((await agent('high')).spentToday).toBe('0.00');
    });
  });

  describe('monthly, at month ends', () => {
    const cases = [
      {
        name: '31 Jan → 1 Feb',
        spendAt: '2026-01-31T17:00:00.000Z',
        lastInstant: '2026-02-01T04:59:59.999Z',
        next: '2026-02-01T05:00:00.000Z',
      },
      {
        name: '28 Feb → 1 Mar',
        spendAt: '2026-02-28T17:00:00.000Z',
        lastInstant: '2026-03-01T04:59:59.999Z',
        next: '2026-03-01T05:00:00.000Z',
      },
      {
        name: '29 Feb → 1 Mar (leap year)',
        spendAt: '2028-02-29T17:00:00.000Z',
        lastInstant: '2028-03-01T04:59:59.999Z',
        next: '2028-03-01T05:00:00.000Z',
      },
      {
        name: '31 Dec → 1 Jan',
        spendAt: '2026-12-31T17:00:00.000Z',
        lastInstant: '2027-01-01T04:59:59.999Z',
        next: '2027-01-01T05:00:00.000Z',
      },
    ];
    it.each(cases)(
      '$name: the month holds to its last instant and resets at midnight local time',
      async ({ spendAt, lastInstant, next }) => {
        await start(spendAt);
        await spend('medium', spendAt);
        expect(await decide('medium', lastInstant)).toMatchObject({ action: 'REJECTED', reason: 'MONTHLY_BUDGET_EXCEEDED' });
        expect(await decide('medium', next)).toMatchObject({ action: 'ALLOWED' });
        expect(await windowOf('medium', 'monthly')).toMatchObject({ startsAt: next, spent: '0.00', reserved: '1.50', remaining: '0.00' });
      },
    );
  });

  describe('set and cleared through PUT /agents/:id/budget', () => {
    it('sets a weekly window, then null removes it (whatever agents.yaml says)', async () => {
      await start('2026-05-04T14:00:00.000Z');
      const put = (body: unknown) => fetch(`${url()}/agents/low/budget`, { method: 'PUT', headers, body: JSON.stringify(body) });
      const set = (await (await put({ weeklyBudget: '1.50' })).json()) as Agent;
      expect(set).toMatchObject({ weeklyBudget: '1.50', monthlyBudget: null });
      expect(set.windows.map((w) => w.window)).toEqual(['daily', 'weekly']);
      await spend('low', '2026-05-04T14:00:00.000Z');
      expect(await decide('low', '2026-05-05T14:00:00.000Z')).toMatchObject({ reason: 'WEEKLY_BUDGET_EXCEEDED' });
      expect(await (await put({ weeklyBudget: null })).json()).toMatchObject({ weeklyBudget: null });
      expect(await decide('low', '2026-05-05T14:00:01.000Z')).toMatchObject({ action: 'ALLOWED' });
      // agents.yaml gives high a weekly window; null removes it too
      const high = await fetch(`${url()}/agents/high/budget`, { method: 'PUT', headers, body: JSON.stringify({ weeklyBudget: null }) });
      expect(((await high.json()) as Agent).windows.map((w) => w.window)).toEqual(['daily']);
    });

    it('answers 400 to a window when periods are not days (a window sums the periods that start in it)', async () => {
      now = new Date('2026-05-04T14:00:00.000Z');
      const config = ruleTestConfig({ period: { length: 'weekly', timeZone: 'UTC' } });
      policy = await createPolicyUnderTest({ config, databaseUrl: database?.url, clock: () => now });
      await policy.listen();
      const res = await fetch(`${url()}/agents/high/budget`, { method: 'PUT', headers, body: JSON.stringify({ monthlyBudget: '9.00' }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR', details: [{ path: 'body.monthlyBudget' }] } });
      // clearing is always fine
      const cleared = await fetch(`${url()}/agents/high/budget`, { method: 'PUT', headers, body: JSON.stringify({ monthlyBudget: null }) });
      expect(cleared.status).toBe(200);
    });

    it('answers 400 to a malformed or negative window budget', async () => {
      await start('2026-05-04T14:00:00.000Z');
      for (const weeklyBudget of ['-1.00', 'lots', 5]) {
        const res = await fetch(`${url()}/agents/high/budget`, { method: 'PUT', headers, body: JSON.stringify({ weeklyBudget }) });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_ERROR');
      }
    });
  });

  describe('rollover', () => {
    it('carries what yesterday left unspent into today, at most maxCarry', async () => {
      await start('2026-05-04T14:00:00.000Z', true);
      // The first day: 10.00 budget, 9.00 spent (6 × 1.50) → 1.00 carried.
      for (let n = 0; n < 6; n += 1) await spend('low', '2026-05-04T14:00:00.000Z');
      now = new Date('2026-05-05T14:00:00.000Z');
      const low = await agent('low');
      expect(low).toMatchObject({ dailyBudget: '10.00', spentToday: '0.00', remaining: '11.00' });
      expect(low.windows[0]).toMatchObject({ window: 'daily', budget: '11.00', remaining: '11.00' });
      // A day nobody spent: its whole 10.00 went unused, and the 2.00 cap holds.
      now = new Date('2026-05-06T14:00:00.000Z');
      expect((await agent('low')).windows[0]).toMatchObject({ budget: '12.00' });
      // The carried part can be spent: 8 × 1.50 = 12.00.
      for (let n = 0; n < 8; n += 1) await spend('low', '2026-05-06T14:00:00.000Z');
      expect(await decide('low', '2026-05-06T14:00:01.000Z', 'QUOTE')).toMatchObject({ reason: 'DAILY_BUDGET_EXCEEDED' });
    });
  });
});
