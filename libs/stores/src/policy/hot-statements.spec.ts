import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import { openDatabase } from '../database';
import type { PeriodBounds, PolicyStore, Verdict } from './policy-store';
import type { PolicyTables } from './policy-tables';
import { createPolicyStore } from './sql-policy-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const DAY = 86_400_000;
const utcDays: PeriodBounds = (instant) => {
  const start = Math.floor(instant.getTime() / DAY) * DAY;
  return { start: new Date(start), end: new Date(start + DAY) };
};
const hold: Verdict = {
  action: 'ALLOWED',
  reason: 'WITHIN_POLICY',
  message: 'ok',
  variant: 'std',
  amount: 300n,
  limits: {
    agentBudget: 1_000_000n,
    high: true,
    treasuryLimit: 1_000_000_000n,
    reserve: { dailyLimit: 1_000_000_000n, highReserve: 1_000n },
  },
};

let sequence = 0;
function command() {
  sequence += 1;
  const id = String(sequence);
  return {
    decisionId: `dec_${id}`,
    reservationId: `res_${id}`,
    idempotencyKey: `key-${id}`,
    agentId: 'agent-a',
    serviceId: 'SVC',
    requestedVariant: null,
    now: T0,
    holdTtlMs: 60_000,
  };
}

/** Every query a pg client sends is one round trip to the server (BEGIN and COMMIT included). */
describe('policy store round trips on PostgreSQL', () => {
  let database: TemporaryPostgres;
  let store: PolicyStore;
  let queries: jest.SpyInstance;

  beforeEach(async () => {
    database = await createTemporaryPostgres();
    store = await createPolicyStore(
      openDatabase<PolicyTables>({ databaseUrl: database.url }),
      (instant) => {
        const start = Math.floor(instant.getTime() / DAY) * DAY;
        return { start: new Date(start), end: new Date(start + DAY) };
      },
      T0,
    );
    queries = jest.spyOn(pg.Client.prototype, 'query');
  });
  afterEach(async () => {
    queries.mockRestore();
    await store.close();
    await database.drop();
  });

  /** The round trips `run` takes. */
  async function roundTrips(run: () => Promise<unknown>): Promise<number> {
    queries.mockClear();
    await run();
    return queries.mock.calls.length;
  }

  it('decides a hold in at most two: the snapshot, then one call that writes the decision, the hold and the totals', async () => {
    await store.decide(command(), () => hold); // a first call on the connection, as a warm service has had
    expect(await roundTrips(() => store.decide(command(), () => hold))).toBeLessThanOrEqual(2);
    expect((await store.usage(T0)).usage).toEqual([{ agentId: 'agent-a', spent: 0n, reserved: 600n }]);
  });

  it('commits and releases a hold in one', async () => {
    const first = await store.decide(command(), () => hold);
    const second = await store.decide(command(), () => hold);
    if (first.kind !== 'decided' || second.kind !== 'decided') throw new Error('no hold');
    expect(await roundTrips(() => store.commit(first.decision.reservationId ?? '', 200n, T0))).toBe(1);
    expect(await roundTrips(() => store.release(second.decision.reservationId ?? '', T0, 'cancelled'))).toBe(1);
    expect((await store.usage(T0)).usage).toEqual([{ agentId: 'agent-a', spent: 200n, reserved: 0n }]);
  });
});

describe('policy store statements on SQLite', () => {
  it('prepares nothing anew for a decision, a commit or a release once each has run', async () => {
    const store = await createPolicyStore(openDatabase<PolicyTables>({ sqlitePath: ':memory:' }), utcDays, T0);
    const prepares = jest.spyOn(SqliteDatabase.prototype, 'prepare');
    try {
      const settleTwo = async () => {
        const first = await store.decide(command(), () => hold);
        const second = await store.decide(command(), () => hold);
        if (first.kind !== 'decided' || second.kind !== 'decided') throw new Error('no hold');
        await store.commit(first.decision.reservationId ?? '', 200n, T0);
        await store.release(second.decision.reservationId ?? '', T0, 'cancelled');
      };
      await settleTwo();
      expect(prepares).toHaveBeenCalled(); // the first time, each statement is prepared
      prepares.mockClear();
      await settleTwo();
      expect(prepares).not.toHaveBeenCalled();
    } finally {
      prepares.mockRestore();
      await store.close();
    }
  });
});
