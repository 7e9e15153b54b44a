import { waitFor } from '@nexus/service-kit/testing';
import { InvokeAnswer, SpendHistory, sumMoney } from '@nexus/types';
import { canonicalMoney, errorOf, validationErrorOf } from '../testing/api-checks';
import { startBackingStack, type BackingStack } from '../testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from '../testing/gateway-under-test';

/** `GET /stats/history` through the real gateway over the real policy, payment (mock mode) and logger. */

jest.setTimeout(120_000);

let stack: BackingStack;
let gateway: GatewayUnderTest;

type Who = 'admin' | 'user-agent' | 'batch-agent' | 'ops-agent';
const ETH = { base: 'ETH' };
const LOG_LINES = { lines: [{ timestamp: '2026-01-01T00:00:00Z', level: 'info', message: 'started' }] };

const served = async (who: Who, serviceId: string, body: object) =>
  InvokeAnswer.parse(
    (
      await gateway.http
        .post(`/tools/${serviceId}/invoke`)
        .set(gateway.auth(who))
        .send(body as Record<string, unknown>)
        .expect(200)
    ).body,
  );
const history = async (query: string, who: Who = 'admin') =>
  SpendHistory.parse((await gateway.http.get(`/stats/history${query}`).set(gateway.auth(who)).expect(200)).body);

let paid: { agentId: string; serviceId: string; amount: string }[] = [];

beforeAll(async () => {
  stack = await startBackingStack();
  gateway = await createGatewayUnderTest(stack);
  await gateway.http.post('/reset').set(gateway.auth('admin')).expect(200);
  const answers = [
    await served('user-agent', 'PRICE_ORACLE', { input: ETH }),
    await served('user-agent', 'PRICE_ORACLE', { input: ETH }),
    await served('batch-agent', 'LOG_ARCHIVE', { variant: 'summary', input: LOG_LINES }),
    await served('ops-agent', 'PRICE_ORACLE', { input: ETH }),
  ];
  paid = answers.map((answer) => ({
    agentId: answer.decision.agentId,
    serviceId: answer.decision.serviceId,
    amount: answer.payment?.amount ?? 'missing',
  }));
  // The audit trail fills through the outboxes: wait until every call is in it.
  await waitFor('the four calls in the history', async () => (await history('?bucket=hour')).totals.payments === answers.length, {
    timeoutMs: 20_000,
    intervalMs: 50,
  });
});

afterAll(async () => {
  await gateway?.close();
  await stack?.stopAll();
});

const spentBy = (key: 'agentId' | 'serviceId') => {
  const sums = new Map<string, string[]>();
  for (const call of paid) sums.set(call[key], [...(sums.get(call[key]) ?? []), call.amount]);
  return Object.fromEntries([...sums].map(([id, amounts]) => [id, sumMoney(amounts)]));
};

describe('GET /stats/history', () => {
  it("puts this hour's paid calls in the hour's bucket, by agent and by service, agreeing with the invoke answers", async () => {
    const hours = await history('?bucket=hour');
    expect(hours.bucket).toBe('hour');
    // a run across the top of the hour may leave some calls in the hour before
    expect(hours.buckets.length).toBeGreaterThanOrEqual(1);
    expect(hours.buckets.length).toBeLessThanOrEqual(2);
    const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    for (const point of hours.buckets) expect(hourStart - Date.parse(point.start)).toBeLessThanOrEqual(3_600_000);
    expect(hours.totals).toMatchObject({ calls: 4, rejected: 0, payments: 4, refunds: 0 });
    expect(canonicalMoney(hours.totals.spent)).toBe(sumMoney(paid.map((call) => call.amount)));
    const merged = (key: 'byAgent' | 'byService') => {
      const sums = new Map<string, string[]>();
      for (const point of hours.buckets)
        for (const [id, figures] of Object.entries(point[key])) sums.set(id, [...(sums.get(id) ?? []), figures.spent]);
      return Object.fromEntries([...sums].map(([id, amounts]) => [id, sumMoney(amounts)]));
    };
    expect(merged('byAgent')).toEqual(spentBy('agentId'));
    expect(merged('byService')).toEqual(spentBy('serviceId'));
  });

  it('filters by agent and service, and days sum to the same', async () => {
    const oracle = await history('?serviceId=PRICE_ORACLE');
    expect(oracle.totals.payments).toBe(3);
    expect(Object.keys(oracle.buckets.at(-1)?.byService ?? {})).toEqual(['PRICE_ORACLE']);
    const batch = await history('?agentId=batch-agent&bucket=day');
    expect(batch.totals).toMatchObject({ calls: 1, payments: 1 });
    expect(canonicalMoney(batch.totals.spent)).toBe(spentBy('agentId')['batch-agent']);
  });

  it("shows an agent key its own figures only, and refuses another agent's", async () => {
    const own = await history('?bucket=hour', 'user-agent');
    expect(Object.keys(own.buckets[0]?.byAgent ?? {})).toEqual(['user-agent']);
    expect(own.totals.payments).toBe(2);
    errorOf(await gateway.http.get('/stats/history?agentId=ops-agent').set(gateway.auth('user-agent')), 403, 'FORBIDDEN');
  });

  it('refuses a window too long for its bucket, or back to front, with a 400 naming the field', async () => {
    const tooLong = '/stats/history?bucket=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z';
    validationErrorOf(await gateway.http.get(tooLong).set(gateway.auth('admin')), ['query.to']);
    const backwards = '/stats/history?from=2026-03-01T00:00:00Z&to=2026-01-01T00:00:00Z';
    validationErrorOf(await gateway.http.get(backwards).set(gateway.auth('admin')), ['query.from']);
    validationErrorOf(await gateway.http.get('/stats/history?bucket=minute').set(gateway.auth('admin')), ['query.bucket']);
  });
});
