import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import { openDatabase } from '../database';
import { InvalidCursorError } from '../payment/payment-store';
import type { DecisionRecord, HoldLimits, PeriodBounds, PolicyStore, ReservationRecord, Verdict } from './policy-store';
import type { PolicyTables } from './policy-tables';
import { createPolicyStore } from './sql-policy-store';

const DAY = 86_400_000;
const utcDays: PeriodBounds = (instant) => {
  const start = Math.floor(instant.getTime() / DAY) * DAY;
  return { start: new Date(start), end: new Date(start + DAY) };
};
/** Windows are not what these tests are about: every calendar is the UTC day. */
const utcCalendar = { period: utcDays, weekly: utcDays, monthly: utcDays };
const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const roomy: HoldLimits = {
  agentBudget: 1_000_000_000n,
  high: false,
  treasuryLimit: 1_000_000_000_000n,
  reserve: null,
  weekly: null,
  monthly: null,
};
const allow = (amount: bigint): Verdict => ({
  action: 'ALLOWED',
  reason: 'WITHIN_POLICY',
  message: 'ok',
  variant: 'std',
  amount,
  limits: roomy,
});
const reject: Verdict = { action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED', message: 'no', variant: 'std', amount: 5n, limits: null };

describe.each(['sqlite', 'postgres'] as const)('policy store lists on %s', (dialect) => {
  let pgDb: TemporaryPostgres | undefined;
  let store: PolicyStore;
  let sequence = 0;

  beforeEach(async () => {
    if (dialect === 'postgres') pgDb = await createTemporaryPostgres();
    store = await createPolicyStore(
      openDatabase<PolicyTables>(dialect === 'postgres' ? { databaseUrl: pgDb?.url } : { sqlitePath: ':memory:' }),
      utcCalendar,
      T0,
    );
  });
  afterEach(async () => {
    await store.close();
    await pgDb?.drop();
  });

  async function decide(verdict: Verdict, options: { agentId?: string; serviceId?: string; now?: Date } = {}): Promise<DecisionRecord> {
    sequence += 1;
    const outcome = await store.decide(
      {
        decisionId: `dec_${String(sequence).padStart(4, '0')}`,
        reservationId: `res_${String(sequence).padStart(4, '0')}`,
        idempotencyKey: `key-${sequence}`,
        agentId: options.agentId ?? 'agent-a',
        serviceId: options.serviceId ?? 'SVC',
        requestedVariant: null,
        now: options.now ?? T0,
        holdTtlMs: 60_000,
      },
      () => verdict,
    );
    if (outcome.kind !== 'decided') throw new Error(`not decided: ${outcome.kind}`);
    return outcome.decision;
  }

  /** Every page of a list, following nextCursor. */
  async function all<T>(list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[][]> {
    const pages: T[][] = [];
    let cursor: string | undefined;
    do {
      const page = await list(cursor);
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return pages;
  }

  it('lists decisions newest first, with the hold expiry of granted ones and none for rejections', async () => {
    const first = await decide(allow(300n), { now: at(0) });
    const second = await decide(reject, { now: at(1_000) });
    const third = await decide(allow(200n), { agentId: 'agent-b', serviceId: 'OTHER', now: at(2_000) });

    const { items, nextCursor } = await store.listDecisions({ limit: 10 });
    expect(nextCursor).toBeNull();
    expect(items.map((d) => d.id)).toEqual([third.id, second.id, first.id]);
    expect(items[2]).toEqual({ ...first, expiresAt: at(60_000) });
    expect(items[1]).toMatchObject({ action: 'REJECTED', reservationId: null, expiresAt: null, amount: 5n });
  });

  it('filters decisions by agent, service, action and period', async () => {
    const a = await decide(allow(300n), { agentId: 'agent-a' });
    const b = await decide(allow(100n), { agentId: 'agent-b', serviceId: 'OTHER' });
    const rejected = await decide(reject, { agentId: 'agent-b' });
    await store.resetPeriod(at(10));
    const later = await decide(allow(50n), { agentId: 'agent-b', now: at(20) });

    const ids = async (filter: Omit<Parameters<PolicyStore['listDecisions']>[0], 'limit'>) =>
      (await store.listDecisions({ ...filter, limit: 50 })).items.map((d) => d.id);
    expect(await ids({ agentId: 'agent-a' })).toEqual([a.id]);
    expect(await ids({ serviceId: 'OTHER' })).toEqual([b.id]);
    expect(await ids({ action: 'REJECTED' })).toEqual([rejected.id]);
    expect(await ids({ agentId: 'agent-b', periodId: 1 })).toEqual([rejected.id, b.id]);
    expect(await ids({ periodId: 2 })).toEqual([later.id]);
  });

  it('pages through decisions made in the same millisecond without losing or repeating one', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i += 1) made.push((await decide(i % 2 === 0 ? allow(10n) : reject, { now: at(i < 4 ? 0 : 5) })).id);
    const pages = await all((cursor) => store.listDecisions({ limit: 3, ...(cursor ? { cursor } : {}) }));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const listed = pages.flat().map((d) => d.id);
    expect(new Set(listed).size).toBe(7);
    expect(listed).toEqual([...made.slice(4).reverse(), ...made.slice(0, 4).reverse()]);
  });

  it('lists holds with their status as stored, newest first, and filters them', async () => {
    const committed = await decide(allow(300n), { now: at(0) });
    const released = await decide(allow(200n), { agentId: 'agent-b', now: at(1) });
    const held = await decide(allow(100n), { now: at(2) });
    const lapsed = await decide(allow(50n), { agentId: 'agent-b', now: at(3) });
    await decide(reject, { now: at(4) });
    await store.commit(committed.reservationId ?? '', 250n, at(10));
    await store.release(released.reservationId ?? '', at(11), 'payment failed');

    const { items } = await store.listReservations({ limit: 10 });
    expect(items.map((r) => [r.id, r.status])).toEqual([
      [lapsed.reservationId, 'HELD'],
      [held.reservationId, 'HELD'],
      [released.reservationId, 'RELEASED'],
      [committed.reservationId, 'COMMITTED'],
    ]);
    expect(items[3]).toMatchObject<Partial<ReservationRecord>>({
      decisionId: committed.id,
      agentId: 'agent-a',
      amount: 300n,
      committedAmount: 250n,
      periodId: 1,
      settledAt: at(10),
    });
    expect(items[2]).toMatchObject<Partial<ReservationRecord>>({ releaseReason: 'payment failed', committedAmount: null });

    await store.sweepExpired(at(61_000));
    const ids = async (filter: Omit<Parameters<PolicyStore['listReservations']>[0], 'limit'>) =>
      (await store.listReservations({ ...filter, limit: 50 })).items.map((r) => r.id);
    expect(await ids({ status: 'EXPIRED' })).toEqual([lapsed.reservationId, held.reservationId]);
    expect(await ids({ agentId: 'agent-b' })).toEqual([lapsed.reservationId, released.reservationId]);
    expect(await ids({ decisionId: committed.id })).toEqual([committed.reservationId]);
    expect(await ids({ periodId: 2 })).toEqual([]);
  });

  it('pages through holds to the last one, then says there is no next page', async () => {
    for (let i = 0; i < 5; i += 1) await decide(allow(10n), { now: at(i) });
    const pages = await all((cursor) => store.listReservations({ limit: 2, ...(cursor ? { cursor } : {}) }));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(new Set(pages.flat().map((r) => r.id)).size).toBe(5);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(store.listDecisions({ limit: 5, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.listReservations({ limit: 5, cursor: Buffer.from('x:y').toString('base64url') })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });
});
