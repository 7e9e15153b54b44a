import { randomUUID } from 'node:crypto';
import { Approval, ChatResponse, InvokeAnswer, PendingApprovalAnswer, fromBaseUnits, toBaseUnits } from '@nexus/types';
import { useGatewayOverStack } from './testing/gateway-suite';

jest.setTimeout(120_000);

/**
 * Human approval above a threshold, end to end: the real gateway over the
 * real policy, payment service (mock mode), providers and logger. user-agent
 * gets a threshold of 0.01 for the test, so every PRICE_ORACLE query (0.05)
 * waits for the admin.
 */
describe('approvals above a threshold through the gateway', () => {
  const suite = useGatewayOverStack();
  const admin = () => suite.gw.auth('admin');

  beforeEach(async () => {
    const res = await suite.gw.http.put('/agents/user-agent/budget').set(admin()).send({ approvalAbove: '0.01' });
    expect(res.body).toMatchObject({ approvalAbove: '0.01' });
  });
  afterEach(async () => {
    await suite.gw.http.put('/agents/user-agent/budget').set(admin()).send({ approvalAbove: null, dailyBudget: '5.00' });
  });

  /** A PRICE_ORACLE query as user-agent itself; answers 202 with its approval. */
  async function askPrice(key: string = randomUUID()) {
    const res = await suite.gw.http
      .post('/tools/PRICE_ORACLE/invoke')
      .set(suite.gw.auth('user-agent'))
      .set('Idempotency-Key', key)
      .send({ input: { base: 'ETH' } });
    return res;
  }
  async function waiting(key?: string) {
    const res = await askPrice(key);
    expect(res.status).toBe(202);
    return PendingApprovalAnswer.parse(res.body);
  }
  /** Paid calls PRICE_ORACLE served since it started (its own metrics). */
  async function oracleCalls(): Promise<number> {
    const text = await (await fetch(`${suite.stack.process('price-oracle').url}/metrics`)).text();
    return [...text.matchAll(/^provider_paid_calls_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  }
  const paymentsOf = async (decisionId: string) =>
    (await suite.probe.payments({ agentId: 'user-agent' })).filter((p) => p.decisionId === decisionId);
  const reserved = async () => toBaseUnits((await suite.probe.agent('user-agent')).reserved);

  it('holds the amount and answers 202 with the approval; approve runs the call once (one payment, one provider call, one commit)', async () => {
    const before = { reserved: await reserved(), calls: await oracleCalls() };
    const pending = await waiting();
    expect(pending).toMatchObject({
      decision: { action: 'PENDING_APPROVAL', reason: 'APPROVAL_REQUIRED', amount: '0.05' },
      approval: { status: 'PENDING' },
    });
    expect(await reserved()).toBe(before.reserved + toBaseUnits('0.05'));
    expect(await paymentsOf(pending.decision.id)).toEqual([]);

    const approved = await suite.gw.http.post(`/approvals/${pending.approval.id}/approve`).set(admin()).send({ reason: 'fine' });
    expect(approved.status).toBe(200);
    const approval = Approval.parse(approved.body);
    expect(approval).toMatchObject({ status: 'COMPLETED', decidedBy: 'admin', reason: 'fine', outcome: { status: 200 } });
    const answer = InvokeAnswer.parse(approval.outcome?.body);
    expect(answer).toMatchObject({ payment: { status: 'MOCK', amount: '0.05', decisionId: pending.decision.id }, result: { base: 'ETH' } });

    const again = await suite.gw.http.post(`/approvals/${pending.approval.id}/approve`).set(admin()).send({});
    expect({ status: again.status, code: again.body.error?.code }).toEqual({ status: 409, code: 'APPROVAL_NOT_PENDING' });
    expect(await paymentsOf(pending.decision.id)).toHaveLength(1);
    expect(await oracleCalls()).toBe(before.calls + 1);
    const hold = await suite.stack.policy.getReservation(approval.reservationId);
    expect(hold).toMatchObject({ status: 'COMMITTED', committedAmount: '0.05' });
    expect(await reserved()).toBe(before.reserved);

    // The agent reads its own approval, with the answer.
    const read = await suite.gw.http.get(`/approvals/${pending.approval.id}`).set(suite.gw.auth('user-agent'));
    expect(read.body).toMatchObject({ status: 'COMPLETED', outcome: { body: { payment: { amount: '0.05' } } } });
  });

  it('gives the same approval for the same idempotency key, never a second one, and a retry shows it as it is now', async () => {
    const key = randomUUID();
    const first = await waiting(key);
    const second = await waiting(key);
    expect(second.approval.id).toBe(first.approval.id);
    expect(second.decision.id).toBe(first.decision.id);
    const list = await suite.gw.http.get('/approvals').query({ status: 'PENDING', agentId: 'user-agent' }).set(admin());
    expect((list.body.items as Approval[]).filter((a) => a.decisionId === first.decision.id)).toHaveLength(1);

    await suite.gw.http.post(`/approvals/${first.approval.id}/approve`).set(admin()).send({});
    const after = await waiting(key);
    expect(after.approval).toMatchObject({ id: first.approval.id, status: 'COMPLETED' });
    expect(await paymentsOf(first.decision.id)).toHaveLength(1);
  });

  it('releases the hold on deny: the agent gets its reserved back, nothing is paid', async () => {
    const before = await reserved();
    const pending = await waiting();
    const denied = await suite.gw.http.post(`/approvals/${pending.approval.id}/deny`).set(admin()).send({ reason: 'not now' });
    expect(denied.body).toMatchObject({ status: 'DENIED', reason: 'not now' });
    expect(await reserved()).toBe(before);
    expect(await paymentsOf(pending.decision.id)).toEqual([]);
    const late = await suite.gw.http.post(`/approvals/${pending.approval.id}/approve`).set(admin()).send({});
    expect(late.status).toBe(409);
  });

  it('ends a concurrent approve and deny one way, and pays only if approve won', async () => {
    const pending = await waiting();
    const [approve, deny] = await Promise.all([
      suite.gw.http.post(`/approvals/${pending.approval.id}/approve`).set(admin()).send({}),
      suite.gw.http.post(`/approvals/${pending.approval.id}/deny`).set(admin()).send({}),
    ]);
    expect([approve.status, deny.status].sort()).toEqual([200, 409]);
    const final = Approval.parse((await suite.gw.http.get(`/approvals/${pending.approval.id}`).set(admin())).body);
    expect(final.status).toBe(approve.status === 200 ? 'COMPLETED' : 'DENIED');
    expect(await paymentsOf(pending.decision.id)).toHaveLength(approve.status === 200 ? 1 : 0);
  });

  it('lets no agent key approve, deny or list; an agent reads only its own approvals', async () => {
    const pending = await waiting();
    for (const path of [`/approvals/${pending.approval.id}/approve`, `/approvals/${pending.approval.id}/deny`]) {
      const res = await suite.gw.http.post(path).set(suite.gw.auth('user-agent')).send({});
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    expect((await suite.gw.http.get('/approvals').set(suite.gw.auth('user-agent'))).status).toBe(403);
    expect((await suite.gw.http.get(`/approvals/${pending.approval.id}`).set(suite.gw.auth('ops-agent'))).status).toBe(403);
    expect((await suite.gw.http.get(`/approvals/${pending.approval.id}`).set(suite.gw.auth('user-agent'))).body.status).toBe('PENDING');
    expect(await paymentsOf(pending.decision.id)).toEqual([]);
    await suite.gw.http.post(`/approvals/${pending.approval.id}/deny`).set(admin()).send({});
  });

  it('counts a waiting hold against the budget: once the holds fill it, the next call is rejected', async () => {
    const agent = await suite.probe.agent('user-agent');
    const budget = fromBaseUnits(toBaseUnits(agent.spentToday) + toBaseUnits(agent.reserved) + toBaseUnits('0.10'));
    await suite.gw.http.put('/agents/user-agent/budget').set(admin()).send({ dailyBudget: budget });
    const held = [await waiting(), await waiting()];
    const third = await askPrice();
    expect(third.status).toBe(200);
    expect(third.body.decision).toMatchObject({ action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED' });
    // Denying one frees its room again.
    await suite.gw.http.post(`/approvals/${held[0]?.approval.id}/deny`).set(admin()).send({});
    expect((await askPrice()).status).toBe(202);
  });

  it('tells the model through /chat that the call waits for approval', async () => {
    const res = await suite.gw.http.post('/chat').set(suite.gw.auth('user-agent')).send({ message: 'what is the price of ETH?' });
    expect(res.status).toBe(200);
    const chat = ChatResponse.parse(res.body);
    expect(chat.toolCalls[0]).toMatchObject({
      reason: 'APPROVAL_REQUIRED',
      decision: { action: 'PENDING_APPROVAL' },
      approval: { status: 'PENDING' },
    });
    expect(chat.reply).toMatch(/approval/i);
  });
});
