import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { startServiceProcess, TEST_TOKENS, testCredentialEnv, waitFor, type ServiceProcess } from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { CALLERS_ACCEPTED_BY, type Decision, type LoggedAlert } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

/**
 * Budget-threshold and rejection-spike alerts, end to end: a real policy (its
 * store on SQLite or PostgreSQL) sends them through its outbox to a real
 * logger process, which lists what it stored on GET /alerts.
 *
 * ARCHIVE full costs 1.00 and budget pressure is off, so each call is 10% of
 * the HIGH agent's 10.00 daily budget and 5% of its 20.00 weekly one.
 */
function alertConfig() {
  const config = ruleTestConfig({
    budgetPressure: { fraction: 0 },
    alerts: { budgetThresholds: [50, 80, 95, 100], rejectionSpike: { count: 3, minutes: 5 } },
  });
  config.agents = config.agents.map((a) => (a.id === 'high' ? { ...a, weeklyBudget: '20.00' } : a));
  return config;
}

const headers = { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' };

describe.each(['sqlite', 'postgres'] as const)('alerts with the policy on %s', (dialect) => {
  let logger: ServiceProcess;
  let loggerDir: string;
  let database: TemporaryPostgres | undefined;
  let policy: PolicyUnderTest | undefined;
  let now = new Date();
  let sequence = 0;

  beforeAll(async () => {
    loggerDir = mkdtempSync(join(tmpdir(), 'nexus-policy-alerts-'));
    logger = await startServiceProcess({
      app: 'logger',
      port: await freePort(),
      env: { ...testCredentialEnv('logger', CALLERS_ACCEPTED_BY.logger), NEXUS_DATA_DIR: loggerDir },
    });
  });
  afterAll(async () => {
    await logger.stop();
    rmSync(loggerDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    database = dialect === 'postgres' ? await createTemporaryPostgres() : undefined;
  });
  afterEach(async () => {
    await policy?.close();
    policy = undefined;
    await database?.drop();
  });

  const start = async (at: string) => {
    now = new Date(at);
    policy = await createPolicyUnderTest({ config: alertConfig(), databaseUrl: database?.url, clock: () => now, loggerUrl: logger.url });
    await policy.listen();
  };
  const url = () => policy?.url ?? '';

  async function decide(agentId: string, serviceId: string): Promise<Decision> {
    sequence += 1;
    const res = await fetch(`${url()}/decisions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ agentId, serviceId, idempotencyKey: `${dialect}-call-${sequence}` }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Decision;
  }
  /** `count` ARCHIVE full calls of `high`, committed one by one or in one batch (the gateway's commit queue). */
  async function spend(count: number, how: 'one by one' | 'batch'): Promise<void> {
    const decisions: Decision[] = [];
    for (let n = 0; n < count; n += 1) decisions.push(await decide('high', 'ARCHIVE'));
    expect(decisions.every((d) => d.action === 'ALLOWED')).toBe(true);
    if (how === 'batch') {
      const commits = decisions.map((d) => ({ reservationId: d.reservationId }));
      const res = await fetch(`${url()}/reservations/commits`, { method: 'POST', headers, body: JSON.stringify({ commits }) });
      expect(res.status).toBe(200);
    } else {
      for (const d of decisions) {
        const res = await fetch(`${url()}/reservations/${d.reservationId ?? ''}/commit`, { method: 'POST', headers, body: '{}' });
        expect(res.status).toBe(200);
      }
    }
    await policy?.policy.flushAlerts();
  }

  async function alerts(query: string): Promise<LoggedAlert[]> {
    const res = await fetch(`${logger.url}/alerts?limit=500&${query}`, { headers: { Authorization: `Bearer ${TEST_TOKENS.gateway}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: LoggedAlert[] }).items;
  }
  /** Waits until the logger holds exactly `ids` for the query (the outbox delivers in the background). */
  const expectAlerts = (query: string, ids: string[]) =>
    waitFor(`alerts ${ids.join(', ')}`, async () => {
      const stored = (await alerts(query)).map((a) => a.id).sort();
      return JSON.stringify(stored) === JSON.stringify([...ids].sort()) ? stored : undefined;
    });

  it('fires a budget alert once at each threshold of each window, and not again on later commits', async () => {
    // Each dialect's run has its own week, so the shared logger keeps their alerts apart.
    const monday = dialect === 'sqlite' ? '2026-05-04' : '2026-05-11';
    await start(`${monday}T12:00:00.000Z`);
    const day = `${monday}T00:00:00.000Z`;
    const query = `agentId=high&alertType=budget_threshold&from=${day}`;
    const id = (window: string, percent: number) => `alert:budget:high:${window}:${day}:${percent}`;

    await spend(4, 'one by one'); // 40% of the day
    await spend(1, 'one by one'); // 50%
    await expectAlerts(query, [id('daily', 50)]);
    await spend(2, 'batch'); // 70%: nothing new
    await spend(1, 'batch'); // 80%
    await expectAlerts(query, [id('daily', 50), id('daily', 80)]);
    await spend(2, 'batch'); // 100% of the day (95 and 100 at once), 50% of the week
    const all = [id('daily', 50), id('daily', 80), id('daily', 95), id('daily', 100), id('weekly', 50)];
    await expectAlerts(query, all);

    const stored = await alerts(query);
    expect(stored.find((a) => a.id === id('daily', 100))).toMatchObject({
      severity: 'critical',
      window: 'daily',
      windowStart: day,
      thresholdPercent: 100,
      spent: '10.00',
      budget: '10.00',
    });
    expect(stored.find((a) => a.id === id('daily', 80))).toMatchObject({ severity: 'warning', spent: '8.00' });
    expect(stored.find((a) => a.id === id('weekly', 50))).toMatchObject({ severity: 'warning', window: 'weekly', budget: '20.00' });

    // The next day: a new daily window at 10% (nothing), the week at 55% (its 50% alert already fired).
    now = new Date(new Date(`${monday}T12:00:00.000Z`).getTime() + 86_400_000);
    await spend(1, 'one by one');
    expect((await alerts(query)).map((a) => a.id).sort()).toEqual([...all].sort());
  });

  it('fires one rejection-spike alert per agent and bucket when rejections reach the count', async () => {
    const hour = dialect === 'sqlite' ? '2026-05-04T12' : '2026-05-04T13';
    await start(`${hour}:00:00.000Z`);
    const query = `agentId=quotes-only&alertType=rejection_spike&from=${hour}:00:00.000Z`;
    const refuse = async (at: string) => {
      now = new Date(at);
      expect(await decide('quotes-only', 'ARCHIVE')).toMatchObject({ action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });
      await policy?.policy.flushAlerts();
    };

    await refuse(`${hour}:00:00.000Z`);
    await refuse(`${hour}:00:01.000Z`);
    expect(await alerts(query)).toEqual([]);
    await refuse(`${hour}:00:02.000Z`); // the third within 5 minutes
    const first = `alert:rejection_spike:quotes-only:${hour}:00:00.000Z`;
    await expectAlerts(query, [first]);
    await refuse(`${hour}:00:03.000Z`);
    await refuse(`${hour}:04:59.000Z`);
    // The next 5-minute bucket, still 3 or more within 5 minutes: one more alert.
    await refuse(`${hour}:05:30.000Z`);
    await refuse(`${hour}:06:00.000Z`);
    await expectAlerts(query, [first, `alert:rejection_spike:quotes-only:${hour}:05:00.000Z`]);
    expect((await alerts(query)).find((a) => a.id === first)).toMatchObject({ severity: 'warning', count: 3, minutes: 5 });
  });
});
