import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import { openDatabase } from '../database';
import type { HoldLimits, PeriodBounds, PolicyStore, Verdict } from './policy-store';
import type { PolicyTables } from './policy-tables';
import { createPolicyStore } from './sql-policy-store';

const DAY = 86_400_000;
const utcDays: PeriodBounds = (instant) => {
  const start = Math.floor(instant.getTime() / DAY) * DAY;
  return { start: new Date(start), end: new Date(start + DAY) };
};
const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const limits: HoldLimits = { agentBudget: 100_000n, high: false, treasuryLimit: 1_000_000n, reserve: null, weekly: null, monthly: null };
/** A call above the threshold: held for the approval's 15 minutes, not the command's minute. */
const pending = (amount: bigint): Verdict => ({
  action: 'PENDING_APPROVAL',
  reason: 'APPROVAL_REQUIRED',
  message: 'waits',
  variant: 'std',
  amount,
  limits,
  holdTtlMs: 900_000,
});

let sequence = 0;

describe.each(['sqlite', 'postgres'] as const)('approvals in the policy store on %s', (dialect) => {
  let pgDb: TemporaryPostgres | undefined;
  let store: PolicyStore;

  beforeEach(async () => {
    if (dialect === 'postgres') pgDb = await createTemporaryPostgres();
    store = await createPolicyStore(
      openDatabase<PolicyTables>(dialect === 'postgres' ? { databaseUrl: pgDb?.url } : { sqlitePath: ':memory:' }),
      { period: utcDays, weekly: utcDays, monthly: utcDays },
      T0,
    );
  });
  afterEach(async () => {
    await store.close();
    await pgDb?.drop();
  });

  /** A PENDING_APPROVAL decision with its hold, and its approval. */
  async function waiting(amount = 400n) {
    sequence += 1;
    const outcome = await store.decide(
      {
        decisionId: `dec_${sequence}`,
        reservationId: `res_${sequence}`,
        idempotencyKey: `key-${sequence}`,
        agentId: 'agent-a',
        serviceId: 'SVC',
        requestedVariant: null,
        now: T0,
        holdTtlMs: 60_000,
      },
      () => pending(amount),
    );
    if (outcome.kind !== 'decided') throw new Error(`not decided: ${outcome.kind}`);
    const { decision } = outcome;
    const approval = await store.createApproval({
      id: `apr_${sequence}`,
      decisionId: decision.id,
      reservationId: decision.reservationId ?? '',
      agentId: decision.agentId,
      serviceId: decision.serviceId,
      variant: 'std',
      amount,
      input: { prompt: 'a fox' },
      createdAt: T0,
      expiresAt: decision.expiresAt ?? T0,
    });
    return { decision, approval };
  }

  it('holds a waiting call as long as its approval, counted against the budget', async () => {
    const { decision, approval } = await waiting(400n);
    expect(decision.expiresAt).toEqual(at(900_000));
    expect(approval).toMatchObject({ status: 'PENDING', amount: 400n, input: { prompt: 'a fox' }, expiresAt: at(900_000) });
    expect((await store.snapshot('agent-a', at(600_000))).standing.agentReserved).toBe(400n);
  });

  it('keeps the first approval when the same one is created again (a replayed decision)', async () => {
    const { approval } = await waiting();
    const again = await store.createApproval({ ...approval, input: { prompt: 'other' }, createdAt: at(5_000) });
    expect(again).toEqual(approval);
    expect((await store.listApprovals({ limit: 10 })).items).toHaveLength(1);
  });

  it('approves once and renews the hold; a later deny is a conflict', async () => {
    const { approval } = await waiting();
    const approved = await store.approve(approval.id, { decidedBy: 'admin', reason: null, now: at(1_000), holdExpiresAt: at(121_000) });
    expect(approved).toMatchObject({ kind: 'changed', approval: { status: 'APPROVED', decidedBy: 'admin', decidedAt: at(1_000) } });
    expect((await store.getReservation(approval.reservationId))?.expiresAt).toEqual(at(121_000));
    const denied = await store.closeApproval(approval.id, { status: 'DENIED', decidedBy: 'admin', reason: 'no', now: at(2_000) });
    expect(denied).toMatchObject({ kind: 'conflict', approval: { status: 'APPROVED' } });
  });

  it('lets exactly one of a concurrent approve and deny win', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { approval } = await waiting();
      const answers = await Promise.all([
        store.approve(approval.id, { decidedBy: 'admin', reason: null, now: at(1_000), holdExpiresAt: at(121_000) }),
        store.closeApproval(approval.id, { status: 'DENIED', decidedBy: 'admin', reason: null, now: at(1_000) }),
      ]);
      expect(answers.filter((a) => a.kind === 'changed')).toHaveLength(1);
      const final = await store.getApproval(approval.id);
      expect(answers.find((a) => a.kind === 'conflict')).toMatchObject({ approval: { status: final?.status } });
    }
  });

  it('does not approve past the expiry, and lists the overdue ones for the housekeeping', async () => {
    const { approval } = await waiting();
    expect(await store.overdueApprovals(at(899_999), 10)).toEqual([]);
    const late = await store.approve(approval.id, { decidedBy: 'admin', reason: null, now: at(900_000), holdExpiresAt: at(1_020_000) });
    expect(late).toMatchObject({ kind: 'conflict', approval: { status: 'PENDING' } });
    expect((await store.overdueApprovals(at(900_000), 10)).map((a) => a.id)).toEqual([approval.id]);
    const expired = await store.closeApproval(approval.id, {
      status: 'EXPIRED',
      decidedBy: 'policy',
      reason: 'timed out',
      now: at(900_000),
    });
    expect(expired).toMatchObject({ kind: 'changed', approval: { status: 'EXPIRED' } });
    expect(await store.overdueApprovals(at(900_000), 10)).toEqual([]);
  });

  it('completes only an approved call, keeping its answer', async () => {
    const { approval } = await waiting();
    const early = await store.complete(approval.id, { status: 'COMPLETED', outcome: { status: 200 }, reason: null, now: at(1_000) });
    expect(early.kind).toBe('conflict');
    await store.approve(approval.id, { decidedBy: 'admin', reason: null, now: at(1_000), holdExpiresAt: at(121_000) });
    const done = await store.complete(approval.id, {
      status: 'COMPLETED',
      outcome: { status: 200, body: { ok: true } },
      reason: null,
      now: at(2_000),
    });
    expect(done).toMatchObject({
      kind: 'changed',
      approval: { status: 'COMPLETED', outcome: { status: 200, body: { ok: true } }, completedAt: at(2_000) },
    });
    expect((await store.complete(approval.id, { status: 'FAILED', outcome: {}, reason: null, now: at(3_000) })).kind).toBe('conflict');
    expect(await store.complete('apr_none', { status: 'FAILED', outcome: {}, reason: null, now: at(3_000) })).toEqual({
      kind: 'not_found',
    });
  });

  it('pages approvals newest first with filters', async () => {
    const first = await waiting();
    await waiting();
    await store.closeApproval(first.approval.id, { status: 'DENIED', decidedBy: 'admin', reason: null, now: at(1_000) });
    expect((await store.listApprovals({ status: 'PENDING', limit: 10 })).items).toHaveLength(1);
    const page = await store.listApprovals({ limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    const next = await store.listApprovals({ limit: 1, cursor: page.nextCursor ?? '' });
    expect(next.items[0]?.id).not.toBe(page.items[0]?.id);
    expect(next.nextCursor).toBeNull();
  });

  it('keeps an admin threshold, including "none", apart from the configured one', async () => {
    await store.setBudget('agent-a', { dailyBudget: 5n }, T0);
    expect((await store.snapshot('agent-a', T0)).agentState?.approvalAbove).toBeUndefined();
    await store.setBudget('agent-a', { approvalAbove: 300n }, T0);
    expect((await store.snapshot('agent-a', T0)).agentState?.approvalAbove).toEqual({ amount: 300n });
    await store.setBudget('agent-a', { approvalAbove: null }, T0);
    expect((await store.agentStates())[0]?.approvalAbove).toEqual({ amount: null });
  });
});
