import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import { openDatabase } from '../database';
import type { DecideOutcome, HoldLimits, PeriodBounds, PolicyStore, Verdict } from './policy-store';
import type { PolicyTables } from './policy-tables';
import { createPolicyStore } from './sql-policy-store';

const DAY = 86_400_000;
/** UTC days, so tests can cross a boundary by moving the clock. */
const utcDays: PeriodBounds = (instant) => {
  const start = Math.floor(instant.getTime() / DAY) * DAY;
  return { start: new Date(start), end: new Date(start + DAY) };
};
/** Windows are not what these tests are about: every calendar is the UTC day. */
const utcCalendar = { period: utcDays, weekly: utcDays, monthly: utcDays };
const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const roomy: HoldLimits = {
  agentBudget: 1_000_000n,
  high: false,
  treasuryLimit: 1_000_000_000_000n,
  reserve: null,
  weekly: null,
  monthly: null,
};
const allow = (amount: bigint, limits: HoldLimits = roomy): Verdict => ({
  action: 'ALLOWED',
  reason: 'WITHIN_POLICY',
  message: 'ok',
  variant: 'std',
  amount,
  limits,
});
const reject: Verdict = { action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED', message: 'no', variant: 'std', amount: 5n, limits: null };

/** The decision of an outcome that has one. */
function decisionOf(outcome: DecideOutcome) {
  if (outcome.kind === 'contended') throw new Error('no decision: contended');
  return outcome.decision;
}

let sequence = 0;
function command(overrides: Partial<Parameters<PolicyStore['decide']>[0]> = {}) {
  sequence += 1;
  return {
    decisionId: `dec_${sequence}`,
    reservationId: `res_${sequence}`,
    idempotencyKey: `key-${sequence}`,
    agentId: 'agent-a',
    serviceId: 'SVC',
    requestedVariant: null,
    now: T0,
    holdTtlMs: 60_000,
    ...overrides,
  };
}

describe.each(['sqlite', 'postgres'] as const)('policy store on %s', (dialect) => {
  let pgDb: TemporaryPostgres | undefined;
  let store: PolicyStore;
  const open = () =>
    createPolicyStore(
      openDatabase<PolicyTables>(dialect === 'postgres' ? { databaseUrl: pgDb?.url } : { sqlitePath: ':memory:' }),
      utcCalendar,
      T0,
    );

  beforeEach(async () => {
    if (dialect === 'postgres') pgDb = await createTemporaryPostgres();
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    await pgDb?.drop();
  });

  /** Every agent's totals in the period, by agent id. */
  const usage = async (now = T0) => (await store.usage(now)).usage.sort((x, y) => x.agentId.localeCompare(y.agentId));
  const standing = async (agentId = 'agent-a', now = T0) => (await store.snapshot(agentId, now)).standing;

  it('stores a decision with its hold and counts the hold as reserved', async () => {
    const decision = decisionOf(await store.decide(command(), () => allow(300n)));
    expect(decision.reservationId).not.toBeNull();
    expect(decision.expiresAt).toEqual(at(60_000));
    expect(await store.getReservation(decision.reservationId ?? '')).toMatchObject({
      status: 'HELD',
      amount: 300n,
      periodId: 1,
      high: false,
    });
    expect(await usage(at(1))).toEqual([{ agentId: 'agent-a', spent: 0n, reserved: 300n }]);
    expect(await standing('agent-a', at(1))).toEqual({ agentSpent: 0n, agentReserved: 300n, treasuryUsed: 300n, highUsed: 0n });
  });

  it('stores a rejection without a hold', async () => {
    const decision = decisionOf(await store.decide(command(), () => reject));
    expect(decision.reservationId).toBeNull();
    expect(await store.getDecision(decision.id)).toMatchObject({ action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED' });
    expect(await usage()).toEqual([]);
  });

  it('hands the evaluator the agent totals and the treasury totals, HIGH use apart', async () => {
    await store.decide(command({ agentId: 'agent-a' }), () => allow(100n));
    await store.decide(command({ agentId: 'agent-b' }), () => allow(40n, { ...roomy, high: true }));
    let seen: unknown;
    await store.decide(command({ agentId: 'agent-a' }), (snapshot) => {
      seen = snapshot.standing;
      return reject;
    });
    expect(seen).toEqual({ agentSpent: 0n, agentReserved: 100n, treasuryUsed: 140n, highUsed: 40n });
  });

  it('answers a known idempotency key from the record and reserves nothing new', async () => {
    const first = decisionOf(await store.decide(command({ idempotencyKey: 'same' }), () => allow(100n)));
    const evaluate = jest.fn(() => allow(100n));
    const second = await store.decide(command({ idempotencyKey: 'same' }), evaluate);
    expect(second.kind).toBe('replayed');
    expect(decisionOf(second).id).toBe(first.id);
    expect(decisionOf(second).expiresAt).toEqual(first.expiresAt);
    expect(evaluate).not.toHaveBeenCalled();
    expect((await standing()).agentReserved).toBe(100n);
  });

  it('refuses a known idempotency key sent with a different request', async () => {
    await store.decide(command({ idempotencyKey: 'same', serviceId: 'SVC' }), () => allow(100n));
    const other = await store.decide(command({ idempotencyKey: 'same', serviceId: 'OTHER' }), () => allow(100n));
    expect(other.kind).toBe('key_reused');
  });

  describe('limits re-checked when the hold is written', () => {
    it('refuses a hold past the agent budget even when the evaluator allowed it, and stores nothing', async () => {
      await store.decide(command(), () => allow(300n, { ...roomy, agentBudget: 500n }));
      const blind = jest.fn(() => allow(300n, { ...roomy, agentBudget: 500n }));
      expect((await store.decide(command({ idempotencyKey: 'blind' }), blind)).kind).toBe('contended');
      expect(blind.mock.calls.length).toBeGreaterThan(1);
      expect(await standing()).toMatchObject({ agentReserved: 300n, treasuryUsed: 300n });
      expect(await store.decide(command({ idempotencyKey: 'blind' }), () => reject)).toMatchObject({ kind: 'decided' });
    });

    it('evaluates again on fresh totals after a refused hold', async () => {
      await store.decide(command(), () => allow(300n));
      let calls = 0;
      // The first evaluation sees stale totals (as if another instance took 300 meanwhile); the second sees the truth.
      const outcome = await store.decide(command(), (snapshot) => {
        calls += 1;
        const used = calls === 1 ? 0n : snapshot.standing.agentReserved;
        return used + 300n <= 500n ? allow(300n, { ...roomy, agentBudget: 500n }) : reject;
      });
      expect(calls).toBe(2);
      expect(decisionOf(outcome).action).toBe('REJECTED');
    });

    it('keeps every agent, HIGH ones too, inside the treasury-wide limit', async () => {
      const capped = (amount: bigint, high: boolean) => () => allow(amount, { ...roomy, high, treasuryLimit: 1_000n });
      expect(decisionOf(await store.decide(command({ agentId: 'high' }), capped(700n, true))).reservationId).not.toBeNull();
      expect(decisionOf(await store.decide(command({ agentId: 'medium' }), capped(300n, false))).reservationId).not.toBeNull();
      expect((await store.decide(command({ agentId: 'high' }), capped(1n, true))).kind).toBe('contended');
      expect(await standing('high')).toEqual({ agentSpent: 0n, agentReserved: 700n, treasuryUsed: 1_000n, highUsed: 700n });
    });

    it('keeps restricted holds out of the part of the treasury reserved for HIGH agents', async () => {
      // Limit 1000, 400 kept for HIGH: restricted agents may use 600 in all.
      const reserve = { dailyLimit: 1_000n, highReserve: 400n };
      const low = (amount: bigint) => () => allow(amount, { ...roomy, reserve });
      expect(decisionOf(await store.decide(command({ agentId: 'low' }), low(600n))).reservationId).not.toBeNull();
      expect((await store.decide(command({ agentId: 'low' }), low(1n))).kind).toBe('contended');
      // HIGH agents are not held back by the reserve, and their use of it gives restricted ones no more room.
      expect(
        decisionOf(await store.decide(command({ agentId: 'high' }), () => allow(500n, { ...roomy, high: true }))).reservationId,
      ).not.toBeNull();
      expect((await store.decide(command({ agentId: 'low' }), low(1n))).kind).toBe('contended');
      expect(await standing('low')).toEqual({ agentSpent: 0n, agentReserved: 600n, treasuryUsed: 1_100n, highUsed: 500n });
    });
  });

  it('commits a hold at a lower actual amount, once', async () => {
    const decision = decisionOf(await store.decide(command(), () => allow(300n)));
    const id = decision.reservationId ?? '';
    const committed = await store.commit(id, 250n, at(10));
    expect(committed).toMatchObject({ kind: 'settled', reservation: { status: 'COMMITTED', committedAmount: 250n } });
    expect((await store.commit(id, undefined, at(20))).kind).toBe('already_settled');
    expect((await store.release(id, at(20), null)).kind).toBe('already_settled');
    expect(await standing('agent-a', at(30))).toEqual({ agentSpent: 250n, agentReserved: 0n, treasuryUsed: 250n, highUsed: 0n });
  });

  it('refuses to commit more than the hold and leaves the hold untouched', async () => {
    const decision = decisionOf(await store.decide(command(), () => allow(300n)));
    const outcome = await store.commit(decision.reservationId ?? '', 301n, at(10));
    expect(outcome.kind).toBe('exceeds_hold');
    expect((await store.getReservation(decision.reservationId ?? ''))?.status).toBe('HELD');
  });

  it('refuses to settle an unknown reservation', async () => {
    expect((await store.commit('res_missing', undefined, T0)).kind).toBe('not_found');
    expect((await store.release('res_missing', T0, null)).kind).toBe('not_found');
  });

  it('keeps a pinned hold (its payment may still land) through the sweep, counted, until it is committed', async () => {
    const pinned = decisionOf(await store.decide(command(), () => allow(300n, { ...roomy, high: true })));
    const plain = decisionOf(await store.decide(command(), () => allow(200n, { ...roomy, high: true })));
    const until = at(3_600_000);
    expect(await store.pin(pinned.reservationId ?? '', until)).toMatchObject({ status: 'HELD', expiresAt: until });

    expect(await store.sweepExpired(at(60_000))).toBe(1);
    expect((await store.getReservation(plain.reservationId ?? ''))?.status).toBe('EXPIRED');
    expect((await store.getReservation(pinned.reservationId ?? ''))?.status).toBe('HELD');
    expect(await standing('agent-a', at(60_001))).toMatchObject({ agentReserved: 300n, treasuryUsed: 300n });

    expect((await store.commit(pinned.reservationId ?? '', undefined, at(60_002))).kind).toBe('settled');
    expect(await store.pin(pinned.reservationId ?? '', until)).toBeUndefined();
    expect(await store.pin(plain.reservationId ?? '', until)).toBeUndefined();
    expect(await standing('agent-a', at(60_003))).toMatchObject({ agentSpent: 300n, agentReserved: 0n });
  });

  it('counts a commit that comes after the hold expired as spend, swept or not, and leaves nothing to release', async () => {
    const unswept = decisionOf(await store.decide(command(), () => allow(300n, { ...roomy, high: true })));
    const swept = decisionOf(await store.decide(command(), () => allow(200n, { ...roomy, high: true })));
    const released = decisionOf(await store.decide(command(), () => allow(100n, { ...roomy, high: true })));
    expect(await store.sweepExpired(at(60_000))).toBe(3);
    expect(await standing('agent-a', at(60_001))).toEqual({ agentSpent: 0n, agentReserved: 0n, treasuryUsed: 0n, highUsed: 0n });

    // A HELD row past its time (not swept yet), committed late: it leaves the holds and joins the spend.
    const late = decisionOf(await store.decide(command({ now: at(60_002) }), () => allow(50n, { ...roomy, high: true })));
    expect((await store.commit(late.reservationId ?? '', undefined, at(200_000))).kind).toBe('settled');
    // An EXPIRED row, committed late: it joins the spend again.
    expect(await store.commit(swept.reservationId ?? '', undefined, at(200_001))).toMatchObject({
      kind: 'settled',
      reservation: { status: 'COMMITTED', committedAmount: 200n },
    });
    expect(await store.commit(unswept.reservationId ?? '', 250n, at(200_002))).toMatchObject({
      kind: 'settled',
      reservation: { status: 'COMMITTED', committedAmount: 250n },
    });
    expect((await store.release(released.reservationId ?? '', at(200_003), 'payment failed')).kind).toBe('expired');
    expect((await store.getReservation(released.reservationId ?? ''))?.status).toBe('EXPIRED');

    expect(await standing('agent-a', at(200_004))).toEqual({ agentSpent: 500n, agentReserved: 0n, treasuryUsed: 500n, highUsed: 500n });
    expect(await usage(at(200_004))).toEqual([{ agentId: 'agent-a', spent: 500n, reserved: 0n }]);
  });

  it('releases a hold so it no longer counts', async () => {
    const decision = decisionOf(await store.decide(command(), () => allow(300n, { ...roomy, high: true })));
    const released = await store.release(decision.reservationId ?? '', at(5), 'payment failed');
    expect(released).toMatchObject({
      kind: 'settled',
      reservation: { status: 'RELEASED', committedAmount: null, releaseReason: 'payment failed', settledAt: at(5) },
    });
    expect(await standing('agent-a', at(6))).toEqual({ agentSpent: 0n, agentReserved: 0n, treasuryUsed: 0n, highUsed: 0n });
  });

  it('sweeps an expired hold once, and it stops counting', async () => {
    const decision = decisionOf(await store.decide(command(), () => allow(300n, { ...roomy, high: true })));
    expect(await store.sweepExpired(at(59_999))).toBe(0);
    expect(await store.sweepExpired(at(60_000))).toBe(1);
    expect(await store.sweepExpired(at(60_000))).toBe(0);
    expect((await store.getReservation(decision.reservationId ?? ''))?.status).toBe('EXPIRED');
    expect(await usage(at(60_001))).toEqual([{ agentId: 'agent-a', spent: 0n, reserved: 0n }]);
    expect(await standing('agent-a', at(60_001))).toEqual({ agentSpent: 0n, agentReserved: 0n, treasuryUsed: 0n, highUsed: 0n });
  });

  it('stops counting an expired hold in views as soon as its time is up', async () => {
    await store.decide(command(), () => allow(300n));
    expect((await standing('agent-a', at(59_999))).agentReserved).toBe(300n);
    expect((await standing('agent-a', at(60_000))).agentReserved).toBe(0n);
  });

  it('leaves holds past their time out of what a decision sees, swept or not', async () => {
    await store.decide(command({ agentId: 'agent-b' }), () => allow(300n, { ...roomy, high: true }));
    await store.decide(command({ agentId: 'agent-a' }), () => allow(300n));
    let seen: unknown;
    await store.decide(command({ now: at(61_000) }), (snapshot) => {
      seen = snapshot.standing;
      return reject;
    });
    expect(seen).toEqual({ agentSpent: 0n, agentReserved: 0n, treasuryUsed: 0n, highUsed: 0n });
  });

  it('sweeps the expired holds in the way of a hold that needs their room', async () => {
    await store.decide(command(), () => allow(300n, { ...roomy, agentBudget: 500n }));
    const decision = decisionOf(await store.decide(command({ now: at(61_000) }), () => allow(300n, { ...roomy, agentBudget: 500n })));
    expect(decision.reservationId).not.toBeNull();
    expect((await store.usage(at(61_000))).usage).toEqual([{ agentId: 'agent-a', spent: 0n, reserved: 300n }]);
  });

  it('rolls the period at its boundary and settles an old hold against its own period', async () => {
    const nextDay = new Date('2026-03-11T00:00:00.000Z');
    const after = (offsetMs: number) => new Date(nextDay.getTime() + offsetMs);
    const decision = decisionOf(await store.decide(command({ now: after(-30_000) }), () => allow(300n)));
    const period = await store.currentPeriod(after(5_000));
    expect(period).toEqual({ id: 2, startedAt: nextDay, endsAt: new Date('2026-03-12T00:00:00.000Z') });
    const committed = await store.commit(decision.reservationId ?? '', undefined, after(10_000));
    expect(committed).toMatchObject({ kind: 'settled', reservation: { periodId: 1, committedAmount: 300n } });
    expect(await standing('agent-a', after(11_000))).toEqual({ agentSpent: 0n, agentReserved: 0n, treasuryUsed: 0n, highUsed: 0n });
    expect(await usage(after(11_000))).toEqual([]);
  });

  it('starts a new period on reset; the old period keeps its spend', async () => {
    const decision = decisionOf(await store.decide(command(), () => allow(300n)));
    const { period, previous } = await store.resetPeriod(at(1000));
    expect(previous.id).toBe(1);
    expect(period).toEqual({ id: 2, startedAt: at(1000), endsAt: new Date('2026-03-11T00:00:00.000Z') });
    expect(await usage(at(1001))).toEqual([]);
    const committed = await store.commit(decision.reservationId ?? '', undefined, at(2000));
    expect(committed).toMatchObject({ kind: 'settled', reservation: { periodId: 1, committedAmount: 300n } });
    expect(await standing('agent-a', at(2001))).toEqual({ agentSpent: 0n, agentReserved: 0n, treasuryUsed: 0n, highUsed: 0n });
  });

  if (dialect === 'postgres') {
    it('opens safely when several instances start at once on one fresh database', async () => {
      const fresh = await createTemporaryPostgres();
      const stores = await Promise.all(
        [1, 2, 3].map(() => createPolicyStore(openDatabase<PolicyTables>({ databaseUrl: fresh.url }), utcCalendar, T0)),
      );
      try {
        await stores[0]?.decide(command(), () => allow(300n));
        for (const other of stores) expect((await other.snapshot('agent-a', T0)).standing.agentReserved).toBe(300n);
      } finally {
        await Promise.all(stores.map((o) => o.close()));
        await fresh.drop();
      }
    });

    /** The queries `run` sends: each is one round trip (BEGIN and COMMIT included); a hot one names its prepared statement. */
    async function queriesOf(run: () => Promise<unknown>): Promise<{ named: boolean }[]> {
      const queries = jest.spyOn(pg.Client.prototype, 'query');
      try {
        await run();
        return queries.mock.calls.map(([query]) => ({ named: typeof query === 'object' && query !== null && 'name' in query }));
      } finally {
        queries.mockRestore();
      }
    }
    const roundTrips = async (run: () => Promise<unknown>) => (await queriesOf(run)).length;

    it('decides a hold in two round trips: the snapshot, then one call that writes the decision, the hold and the totals', async () => {
      await store.decide(command(), () => allow(300n));
      const queries = await queriesOf(() => store.decide(command(), () => allow(300n)));
      expect(queries.length).toBeLessThanOrEqual(2);
      expect(queries.every((query) => query.named)).toBe(true); // parsed and planned once per connection
      expect(await usage()).toEqual([{ agentId: 'agent-a', spent: 0n, reserved: 600n }]);
    });

    it('commits and releases a hold in one round trip each', async () => {
      const first = decisionOf(await store.decide(command(), () => allow(300n)));
      const second = decisionOf(await store.decide(command(), () => allow(300n)));
      expect(await roundTrips(() => store.commit(first.reservationId ?? '', 200n, T0))).toBe(1);
      expect(await roundTrips(() => store.release(second.reservationId ?? '', T0, 'cancelled'))).toBe(1);
      expect(await usage()).toEqual([{ agentId: 'agent-a', spent: 200n, reserved: 0n }]);
    });
  } else {
    it('prepares nothing anew for a decision, a commit or a release once each has run', async () => {
      const prepares = jest.spyOn(SqliteDatabase.prototype, 'prepare');
      try {
        const settleTwo = async () => {
          const first = decisionOf(await store.decide(command(), () => allow(300n)));
          const second = decisionOf(await store.decide(command(), () => allow(300n)));
          await store.commit(first.reservationId ?? '', 200n, T0);
          await store.release(second.reservationId ?? '', T0, 'cancelled');
        };
        await settleTwo();
        expect(prepares).toHaveBeenCalled(); // the first time, each statement is prepared
        prepares.mockClear();
        await settleTwo();
        expect(prepares).not.toHaveBeenCalled();
      } finally {
        prepares.mockRestore();
      }
    });

    it('refuses a second instance on the same file, and serves the next one once the first is closed', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'policy-store-')), 'policy.sqlite');
      const first = await createPolicyStore(openDatabase<PolicyTables>({ sqlitePath: file }), utcCalendar, T0);
      await first.decide(command(), () => allow(300n));
      expect(() => openDatabase<PolicyTables>({ sqlitePath: file })).toThrow(`${file} is in use by another process`);
      await first.close();
      const next = await createPolicyStore(openDatabase<PolicyTables>({ sqlitePath: file }), utcCalendar, T0);
      try {
        expect((await next.snapshot('agent-a', T0)).standing.agentReserved).toBe(300n);
      } finally {
        await next.close();
      }
    });
  }

  it('keeps budget overrides and the pause flag across a restart', async () => {
    await store.setBudget('agent-a', { dailyBudget: 9_000_000n }, T0);
    await store.setBudget('agent-a', { maxPerCall: 500_000n }, T0);
    await store.setPaused('agent-a', { paused: true }, T0);
    await store.decide(command(), () => allow(300n));
    if (dialect === 'sqlite') return; // an in-memory SQLite database does not outlive its connection
    await store.close();
    store = await open();
    expect(await store.agentStates()).toEqual([{ id: 'agent-a', dailyBudget: 9_000_000n, maxPerCall: 500_000n, paused: true }]);
    expect((await store.snapshot('agent-a', at(1))).standing.agentReserved).toBe(300n);
    expect((await store.currentPeriod(at(1))).id).toBe(1);
  });
});
