import request from 'supertest';
import { verifyGrant } from '@nexus/clients';
import { authAs } from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import type { Agent, ApprovalEvent, ApprovalGrant, Decision } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

const T0 = new Date('2026-03-10T12:00:00.000Z');

/** `high` (budget 10.00): COMPUTE (1.50) waits for approval above 1.00; QUOTE (0.05) has its own threshold of 0.01, ARCHIVE none above 1.00. */
function approvalConfig() {
  const config = ruleTestConfig();
  config.agents = config.agents.map((a) =>
    a.id === 'high' ? { ...a, approvalAbove: '1.00', approvalAboveByService: { QUOTE: '0.01' } } : a,
  );
  return config;
}

describe.each(['sqlite', 'postgres'] as const)('approvals above a threshold on %s', (dialect) => {
  let database: TemporaryPostgres | undefined;
  let policy: PolicyUnderTest;
  let now: Date;
  let events: ApprovalEvent[];
  let keys = 0;
  const api = () => request(policy.app);
  const agent = async () => (await api().get('/agents/high').set(authAs('gateway'))).body as Agent;
  const decide = async (serviceId: string, idempotencyKey = `key-${(keys += 1)}`, input: Record<string, unknown> = { job: 'x' }) => {
    const response = await api().post('/decisions').set(authAs('gateway')).send({ agentId: 'high', serviceId, idempotencyKey, input });
    return response.body as Decision;
  };
  const approvalOf = (decision: Decision) => decision.approval?.id ?? '';

  beforeEach(async () => {
    now = T0;
    events = [];
    database = dialect === 'postgres' ? await createTemporaryPostgres() : undefined;
    policy = await createPolicyUnderTest({
      config: approvalConfig(),
      clock: () => now,
      ...(database ? { databaseUrl: database.url } : {}),
      // The policy's outbox to the logger is the edge here: its events are kept as sent.
      audit: {
        record: async (recorded) => {
          const sent = [recorded].flat();
          events.push(...sent.filter((event): event is ApprovalEvent => event.kind === 'approval'));
          return { added: sent.length };
        },
      },
    });
  });
  afterEach(async () => {
    await policy.close();
    await database?.drop();
  });

  it('holds a call above the threshold with no grant, counted against the budget', async () => {
    const decision = await decide('COMPUTE', 'k1', { job: 'render' });
    expect(decision).toMatchObject({
      action: 'PENDING_APPROVAL',
      reason: 'APPROVAL_REQUIRED',
      amount: '1.50',
      grant: null,
      expiresAt: new Date(T0.getTime() + 900_000).toISOString(),
      approval: { status: 'PENDING', expiresAt: new Date(T0.getTime() + 900_000).toISOString() },
    });
    expect(await agent()).toMatchObject({
      reserved: '1.50',
      remaining: '8.50',
      approvalAbove: '1.00',
      approvalAboveByService: { QUOTE: '0.01' },
    });
    // Six waiting calls hold 9.00 of 10.00: the seventh no longer fits the budget.
    for (let i = 0; i < 5; i += 1) await decide('COMPUTE');
    expect(await decide('COMPUTE')).toMatchObject({ action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED' });
    expect(events.map((e) => [e.id, e.status])).toContainEqual([`approval:${approvalOf(decision)}:PENDING`, 'PENDING']);
    const approval = (
      await api()
        .get(`/approvals/${approvalOf(decision)}`)
        .set(authAs('operator'))
    ).body;
    expect(approval).toMatchObject({
      status: 'PENDING',
      decisionId: decision.id,
      reservationId: decision.reservationId,
      variant: 'standard',
    });
  });

  it('uses a service threshold over the agent one, and lets a call at or below it through', async () => {
    expect(await decide('QUOTE')).toMatchObject({ action: 'PENDING_APPROVAL', amount: '0.05' });
    expect(await decide('ARCHIVE')).toMatchObject({ action: 'ALLOWED', amount: '1.00' });
  });

  it('replays the same approval for the same idempotency key, never a second one', async () => {
    const first = await decide('COMPUTE', 'same');
    const again = await decide('COMPUTE', 'same');
    expect(again).toMatchObject({ id: first.id, replayed: true, approval: { id: approvalOf(first), status: 'PENDING' } });
    const list = (await api().get('/approvals?status=PENDING').set(authAs('gateway'))).body as { items: unknown[] };
    expect(list.items).toHaveLength(1);
    expect((await agent()).reserved).toBe('1.50');
  });

  it('approves once: the grant is signed for the hold, renewed for the hold TTL; a later deny is a 409', async () => {
    const decision = await decide('COMPUTE');
    now = new Date(T0.getTime() + 600_000);
    const approved = await api()
      .post(`/approvals/${approvalOf(decision)}/approve`)
      .set(authAs('gateway'))
      .send({ decidedBy: 'admin' });
    expect(approved.status).toBe(200);
    const body = approved.body as ApprovalGrant;
    expect(body.approval).toMatchObject({ status: 'APPROVED', decidedBy: 'admin' });
    expect(body.input).toEqual({ job: 'x' });
    const check = await verifyGrant(body.decision.grant ?? '', policy.grantPublicKey, now);
    expect(check).toMatchObject({ valid: true, expired: false, claims: { reservationId: decision.reservationId, amount: '1.50' } });
    const hold = (await api().get(`/reservations/${decision.reservationId}`).set(authAs('gateway'))).body;
    expect(hold).toMatchObject({ status: 'HELD', expiresAt: new Date(now.getTime() + 120_000).toISOString() });
    const denied = await api()
      .post(`/approvals/${approvalOf(decision)}/deny`)
      .set(authAs('gateway'))
      .send({ decidedBy: 'admin' });
    expect({ status: denied.status, code: denied.body.error?.code }).toEqual({ status: 409, code: 'APPROVAL_NOT_PENDING' });
    const again = await api()
      .post(`/approvals/${approvalOf(decision)}/approve`)
      .set(authAs('gateway'))
      .send({ decidedBy: 'admin' });
    expect(again.status).toBe(409);
  });

  it('releases the hold on deny: the agent gets its reserved back', async () => {
    const decision = await decide('COMPUTE');
    const denied = await api()
      .post(`/approvals/${approvalOf(decision)}/deny`)
      .set(authAs('gateway'))
      .send({ decidedBy: 'admin', reason: 'too dear' });
    expect(denied.body).toMatchObject({ status: 'DENIED', reason: 'too dear' });
    expect(await agent()).toMatchObject({ reserved: '0.00', remaining: '10.00' });
    expect((await api().get(`/reservations/${decision.reservationId}`).set(authAs('gateway'))).body.status).toBe('RELEASED');
    expect(events.map((e) => e.status)).toEqual(['PENDING', 'DENIED']);
  });

  it('expires an unanswered approval in the housekeeping and releases its hold', async () => {
    const decision = await decide('COMPUTE');
    now = new Date(T0.getTime() + 899_000);
    expect((await policy.policy.housekeeping()).approvalsExpired).toBe(0);
    now = new Date(T0.getTime() + 900_000);
    expect((await policy.policy.housekeeping()).approvalsExpired).toBe(1);
    expect(
      (
        await api()
          .get(`/approvals/${approvalOf(decision)}`)
          .set(authAs('gateway'))
      ).body,
    ).toMatchObject({
      status: 'EXPIRED',
      decidedBy: 'policy',
    });
    expect((await agent()).reserved).toBe('0.00');
    const late = await api()
      .post(`/approvals/${approvalOf(decision)}/approve`)
      .set(authAs('gateway'))
      .send({ decidedBy: 'admin' });
    expect(late.status).toBe(409);
  });

  it('releases in the housekeeping the hold of a denied approval whose release never happened (a crash after the deny)', async () => {
    const decision = await decide('COMPUTE');
    // The deny stored, then the process died before it released the hold.
    const closed = await policy.store.closeApproval(approvalOf(decision), { status: 'DENIED', decidedBy: 'admin', reason: null, now });
    expect(closed.kind).toBe('changed');
    expect((await agent()).reserved).toBe('1.50');

    await policy.policy.housekeeping();

    expect((await agent()).reserved).toBe('0.00');
    const hold = await api()
      .get(`/reservations/${decision.reservationId ?? ''}`)
      .set(authAs('gateway'));
    expect(hold.body).toMatchObject({ status: 'RELEASED', releaseReason: 'approval denied' });
  });

  it('ends concurrent approve and deny one way: one 200, one 409', async () => {
    for (let round = 0; round < 4; round += 1) {
      const decision = await decide('COMPUTE');
      const url = `/approvals/${approvalOf(decision)}`;
      const [approve, deny] = await Promise.all([
        api().post(`${url}/approve`).set(authAs('gateway')).send({ decidedBy: 'admin' }),
        api().post(`${url}/deny`).set(authAs('gateway')).send({ decidedBy: 'admin' }),
      ]);
      expect([approve.status, deny.status].sort()).toEqual([200, 409]);
      const final = (await api().get(url).set(authAs('gateway'))).body.status;
      expect(final).toBe(approve.status === 200 ? 'APPROVED' : 'DENIED');
      const hold = (await api().get(`/reservations/${decision.reservationId}`).set(authAs('gateway'))).body.status;
      expect(hold).toBe(approve.status === 200 ? 'HELD' : 'RELEASED');
    }
  });

  it('keeps the approved call answer once, and only after approval', async () => {
    const decision = await decide('COMPUTE');
    const url = `/approvals/${approvalOf(decision)}`;
    const outcome = { status: 200, body: { decision: { ...decision }, payment: null, result: { ok: true } } };
    const early = await api().post(`${url}/complete`).set(authAs('gateway')).send({ status: 'COMPLETED', outcome });
    expect(early.status).toBe(409);
    await api().post(`${url}/approve`).set(authAs('gateway')).send({ decidedBy: 'admin' });
    const done = await api().post(`${url}/complete`).set(authAs('gateway')).send({ status: 'COMPLETED', outcome });
    expect(done.body).toMatchObject({ status: 'COMPLETED', outcome: { status: 200, body: { result: { ok: true } } } });
    expect(events.map((e) => e.id)).toEqual([
      `approval:${approvalOf(decision)}:PENDING`,
      `approval:${approvalOf(decision)}:APPROVED`,
      `approval:${approvalOf(decision)}:COMPLETED`,
    ]);
  });

  it('lets the admin set or clear the threshold: null turns approval off, per service too', async () => {
    const cleared = await api().put('/agents/high/budget').set(authAs('gateway')).send({ approvalAbove: null });
    expect(cleared.body).toMatchObject({ approvalAbove: null, approvalAboveByService: {} });
    expect(await decide('COMPUTE')).toMatchObject({ action: 'ALLOWED' });
    expect(await decide('QUOTE')).toMatchObject({ action: 'ALLOWED' });
    await api().put('/agents/high/budget').set(authAs('gateway')).send({ approvalAbove: '0.04' });
    expect(await decide('QUOTE')).toMatchObject({ action: 'PENDING_APPROVAL' });
  });

  it('refuses approval answers from anyone but the gateway', async () => {
    const decision = await decide('COMPUTE');
    for (const caller of ['payment', 'operator'] as const) {
      const response = await api()
        .post(`/approvals/${approvalOf(decision)}/approve`)
        .set(authAs(caller))
        .send({ decidedBy: 'admin' });
      expect(response.status).toBe(403);
    }
    expect(
      (
        await api()
          .get(`/approvals/${approvalOf(decision)}`)
          .set(authAs('gateway'))
      ).body.status,
    ).toBe('PENDING');
  });
});
