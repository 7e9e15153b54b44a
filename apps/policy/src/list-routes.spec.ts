import request from 'supertest';
import { PolicyClient } from '@nexus/clients';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import type { Decision, Reservation } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

describe.each(['sqlite', 'postgres'] as const)('GET /decisions and GET /reservations on %s', (dialect) => {
  let now: Date;
  let pgDb: TemporaryPostgres | undefined;
  let policy: PolicyUnderTest;
  let client: PolicyClient;
  let keys = 0;

  beforeEach(async () => {
    now = new Date('2026-05-01T10:00:00.000Z');
    if (dialect === 'postgres') pgDb = await createTemporaryPostgres();
    policy = await createPolicyUnderTest({
      config: ruleTestConfig(),
      clock: () => now,
      ...(pgDb ? { databaseUrl: pgDb.url } : {}),
    });
    client = new PolicyClient({ baseUrl: await policy.listen(), token: TEST_TOKEN });
  });
  afterEach(async () => {
    await policy.close();
    await pgDb?.drop();
  });

  /** A decision through the real API, one millisecond after the last. */
  async function decide(agentId: string, serviceId: string, variant?: string): Promise<Decision> {
    now = new Date(now.getTime() + 1);
    return client.decide({ agentId, serviceId, idempotencyKey: `key-${++keys}`, ...(variant ? { variant } : {}) });
  }

  it('lists stored decisions newest first, as GET /decisions/:id shows each', async () => {
    const allowed = await decide('high', 'QUOTE');
    const rejected = await decide('quotes-only', 'ARCHIVE');
    const archive = await decide('high', 'ARCHIVE', 'full');
    await client.simulate({ agentId: 'high', serviceId: 'QUOTE' });

    const list = await client.listDecisions();
    expect(list.nextCursor).toBeNull();
    expect(list.items.map((d) => [d.id, d.action])).toEqual([
      [archive.id, archive.action],
      [rejected.id, 'REJECTED'],
      [allowed.id, 'ALLOWED'],
    ]);
    for (const item of list.items) {
      expect(item).toEqual((await request(policy.app).get(`/decisions/${item.id}`).set(auth)).body);
    }
  });

  it('filters decisions by agent, service, action and period', async () => {
    const high = await decide('high', 'QUOTE');
    const rejected = await decide('quotes-only', 'ARCHIVE');
    await client.reset();
    const later = await decide('low', 'QUOTE');

    const ids = async (query: Parameters<PolicyClient['listDecisions']>[0]) => (await client.listDecisions(query)).items.map((d) => d.id);
    expect(await ids({ agentId: 'high' })).toEqual([high.id]);
    expect(await ids({ serviceId: 'ARCHIVE' })).toEqual([rejected.id]);
    expect(await ids({ action: 'REJECTED' })).toEqual([rejected.id]);
    expect(await ids({ periodId: 1 })).toEqual([rejected.id, high.id]);
    expect(await ids({ periodId: 2 })).toEqual([later.id]);
  });

  it('lists holds with their status, amount, agent, decision and period, and filters them', async () => {
    const committed = await decide('high', 'QUOTE');
    const released = await decide('medium', 'QUOTE');
    const held = await decide('high', 'COMPUTE');
    await client.commit(committed.reservationId ?? '');
    await client.release(released.reservationId ?? '', 'payment failed');

    const list = await client.listReservations();
    expect(list.items.map((r) => [r.id, r.status])).toEqual([
      [held.reservationId, 'HELD'],
      [released.reservationId, 'RELEASED'],
      [committed.reservationId, 'COMMITTED'],
    ]);
    expect(list.items[2]).toMatchObject<Partial<Reservation>>({
      decisionId: committed.id,
      agentId: 'high',
      serviceId: 'QUOTE',
      amount: committed.amount ?? '',
      committedAmount: committed.amount,
      periodId: 1,
    });
    expect(list.items[1]).toMatchObject<Partial<Reservation>>({ releaseReason: 'payment failed', committedAmount: null });

    const ids = async (query: Parameters<PolicyClient['listReservations']>[0]) =>
      (await client.listReservations(query)).items.map((r) => r.id);
    expect(await ids({ status: 'HELD' })).toEqual([held.reservationId]);
    expect(await ids({ agentId: 'medium' })).toEqual([released.reservationId]);
    expect(await ids({ decisionId: committed.id })).toEqual([committed.reservationId]);
    expect(await ids({ periodId: 2 })).toEqual([]);
  });

  it('pages with nextCursor until every record was seen once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) made.push((await decide('high', 'QUOTE')).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listDecisions({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
    expect((await client.listReservations({ limit: 4 })).nextCursor).not.toBeNull();
  });

  it('answers 400 to a bad filter or a cursor it did not issue, and 401 without the token', async () => {
    for (const path of ['/decisions?action=MAYBE', '/decisions?limit=0', '/reservations?status=GONE', '/reservations?limit=501']) {
      const res = await request(policy.app).get(path).set(auth);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    for (const path of ['/decisions?cursor=bogus', '/reservations?cursor=bogus']) {
      const res = await request(policy.app).get(path).set(auth);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    }
    for (const path of ['/decisions', '/reservations']) expect((await request(policy.app).get(path)).status).toBe(401);
  });
});
