import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database';
import { compilesDuring, postgresStatementsDuring } from '../testing/statement-probes';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { ClaimResult, IdempotencyStore, NewClaim } from './idempotency-store';
import type { IdempotencyTables } from './idempotency-tables';
import { createIdempotencyStore } from './sql-idempotency-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const LEASE = 30_000;
const OK = { status: 200, body: JSON.stringify({ result: { url: 'https://example.test/a.png' }, receipt: { paymentId: 'pay_1' } }) };

function newClaim(overrides: Partial<NewClaim> = {}): NewClaim {
  return {
    scope: 'agent-1',
    key: `key-${randomBytes(8).toString('hex')}`,
    fingerprint: `fp-${randomBytes(8).toString('hex')}`,
    ...overrides,
  };
}

const winners = (outcomes: ClaimResult[]) => outcomes.filter((outcome) => outcome.claimed);

describe.each(['sqlite', 'postgres'] as const)('idempotency keys on %s', (dialect) => {
  let store: IdempotencyStore;
  let database: Database<IdempotencyTables>;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_idempotency') : undefined;
    database = openDatabase<IdempotencyTables>(
      // a pool as wide as the races below, so on PostgreSQL every claim runs on its own connection
      postgres
        ? { databaseUrl: postgres.url, poolSize: 20 }
        : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-idempotency-')), 'g.sqlite') },
    );
    store = await createIdempotencyStore(database);
  });
  afterEach(async () => {
    await database.close();
    await postgres?.drop();
  });

  it('claims a new key in flight until now + lease, with the first fingerprint', async () => {
    const claim = newClaim();
    const outcome = await store.claim(claim, T0, LEASE);

    const expected = {
      scope: claim.scope,
      key: claim.key,
      fingerprint: claim.fingerprint,
      state: 'IN_FLIGHT',
      answer: null,
      lockedUntil: at(LEASE),
      createdAt: T0,
      updatedAt: T0,
    };
    expect(outcome).toEqual({ claimed: true, resumed: false, record: expected });
    expect(await store.get(claim.scope, claim.key)).toEqual(expected);
  });

  it('lets exactly one of 20 racing claims of one key through and shows the others its fingerprint', async () => {
    const key = newClaim().key;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) => store.claim(newClaim({ key, fingerprint: `fp-${index}` }), T0, LEASE)),
    );

    const won = winners(outcomes);
    expect(won).toHaveLength(1);
    const winner = won[0];
    if (!winner?.claimed) throw new Error('one winner expected');
    for (const outcome of outcomes.filter((o) => !o.claimed)) {
      expect(outcome).toMatchObject({ claimed: false, existing: { state: 'IN_FLIGHT', fingerprint: winner.record.fingerprint } });
    }
  });

  it('turns a claim away while the key is locked, up to and including the lock’s last millisecond', async () => {
    const first = newClaim();
    await store.claim(first, T0, LEASE);

    const early = await store.claim({ ...first, fingerprint: 'fp-other' }, at(1), LEASE);
    const last = await store.claim(first, at(LEASE), LEASE);

    expect(early).toMatchObject({ claimed: false, existing: { state: 'IN_FLIGHT', fingerprint: first.fingerprint, answer: null } });
    expect(last).toMatchObject({ claimed: false, existing: { state: 'IN_FLIGHT', lockedUntil: at(LEASE) } });
    expect(await store.get(first.scope, first.key)).toMatchObject({ lockedUntil: at(LEASE), updatedAt: T0 });
  });

  it('resumes a key whose lock lapsed (a crashed attempt), keeping the first fingerprint and creation time', async () => {
    const first = newClaim();
    await store.claim(first, T0, LEASE);

    const resumed = await store.claim({ ...first, fingerprint: 'fp-of-the-retry' }, at(LEASE + 1), 5_000);

    const expected = {
      scope: first.scope,
      key: first.key,
      fingerprint: first.fingerprint,
      state: 'IN_FLIGHT',
      answer: null,
      lockedUntil: at(LEASE + 1 + 5_000),
      createdAt: T0,
      updatedAt: at(LEASE + 1),
    };
    expect(resumed).toEqual({ claimed: true, resumed: true, record: expected });
    expect(await store.get(first.scope, first.key)).toEqual(expected);
    expect(await store.claim(first, at(LEASE + 2), LEASE)).toMatchObject({ claimed: false, existing: { state: 'IN_FLIGHT' } });
  });

  it('lets exactly one of 20 racing claims take over a lapsed key', async () => {
    const first = newClaim();
    await store.claim(first, T0, LEASE);

    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.claim(first, at(LEASE + 1), LEASE)));

    expect(winners(outcomes)).toEqual([expect.objectContaining({ claimed: true, resumed: true })]);
    expect(await store.get(first.scope, first.key)).toMatchObject({ lockedUntil: at(LEASE + 1 + LEASE) });
  });

  it('keeps the first answer: a claim of a DONE key gets it back, even long after its lock, and a second complete changes nothing', async () => {
    const first = newClaim();
    await store.claim(first, T0, LEASE);
    await store.complete(first.scope, first.key, OK, at(10));
    await store.complete(first.scope, first.key, { status: 500, body: '{"error":"late"}' }, at(20));

    const retry = await store.claim(first, at(10 * LEASE), LEASE);

    const done = {
      scope: first.scope,
      key: first.key,
      fingerprint: first.fingerprint,
      state: 'DONE',
      answer: OK,
      lockedUntil: at(LEASE),
      createdAt: T0,
      updatedAt: at(10),
    };
    expect(retry).toEqual({ claimed: false, existing: done });
    expect(await store.get(first.scope, first.key)).toEqual(done);
  });

  it('completes a resumed attempt, and keeps an answer body exactly as given', async () => {
    const first = newClaim();
    const body = JSON.stringify({ text: 'ünïcødé 🚀 "quoted" \\ back\nslash', padding: 'x'.repeat(200_000) });
    await store.claim(first, T0, LEASE);
    await store.claim(first, at(LEASE + 1), LEASE);
    await store.complete(first.scope, first.key, { status: 402, body }, at(LEASE + 2));

    expect(await store.get(first.scope, first.key)).toMatchObject({
      state: 'DONE',
      answer: { status: 402, body },
      updatedAt: at(LEASE + 2),
    });
  });

  it('completes nothing for a key nobody claimed', async () => {
    await store.complete('agent-1', 'never-claimed', OK, T0);
    expect(await store.get('agent-1', 'never-claimed')).toBeUndefined();
  });

  it('gives up an in-flight key so a retry runs afresh, but never drops a DONE one', async () => {
    const abandoned = newClaim();
    const answered = newClaim();
    await store.claim(abandoned, T0, LEASE);
    await store.claim(answered, T0, LEASE);
    await store.complete(answered.scope, answered.key, OK, at(1));

    await store.abandon(abandoned.scope, abandoned.key);
    await store.abandon(answered.scope, answered.key);

    expect(await store.get(abandoned.scope, abandoned.key)).toBeUndefined();
    expect(await store.claim({ ...abandoned, fingerprint: 'fp-new' }, at(2), LEASE)).toMatchObject({
      claimed: true,
      resumed: false,
      record: { fingerprint: 'fp-new', createdAt: at(2) },
    });
    expect(await store.get(answered.scope, answered.key)).toMatchObject({ state: 'DONE', answer: OK });
  });

  it('purges DONE keys last updated before the cut-off, and only those', async () => {
    const old = [newClaim(), newClaim()];
    const atCutOff = newClaim();
    const staleInFlight = newClaim();
    for (const claim of [...old, atCutOff, staleInFlight]) await store.claim(claim, T0, LEASE);
    for (const claim of old) await store.complete(claim.scope, claim.key, OK, at(1));
    await store.complete(atCutOff.scope, atCutOff.key, OK, at(100));

    expect(await store.purge(at(100))).toBe(2);
    expect(await store.purge(at(100))).toBe(0);

    for (const claim of old) expect(await store.get(claim.scope, claim.key)).toBeUndefined();
    expect(await store.get(atCutOff.scope, atCutOff.key)).toMatchObject({ state: 'DONE' });
    expect(await store.get(staleInFlight.scope, staleInFlight.key)).toMatchObject({ state: 'IN_FLIGHT' });
  });

  it('keeps keys of one scope, and one key in two scopes, apart', async () => {
    const a1 = newClaim({ scope: 'agent-a', key: 'k1' });
    const a2 = newClaim({ scope: 'agent-a', key: 'k2' });
    const b1 = newClaim({ scope: 'agent-b', key: 'k1' });

    const outcomes = [await store.claim(a1, T0, LEASE), await store.claim(a2, T0, LEASE), await store.claim(b1, T0, LEASE)];
    await store.complete('agent-a', 'k1', OK, at(1));
    await store.abandon('agent-b', 'k1');

    expect(outcomes.map((outcome) => outcome.claimed)).toEqual([true, true, true]);
    expect(await store.get('agent-a', 'k1')).toMatchObject({ state: 'DONE', fingerprint: a1.fingerprint });
    expect(await store.get('agent-a', 'k2')).toMatchObject({ state: 'IN_FLIGHT', fingerprint: a2.fingerprint });
    expect(await store.get('agent-b', 'k1')).toBeUndefined();
  });

  it('refuses a lease that is not a positive number of milliseconds', async () => {
    await expect(store.claim(newClaim(), T0, 0)).rejects.toThrow(RangeError);
    await expect(store.claim(newClaim(), T0, Number.NaN)).rejects.toThrow(RangeError);
  });

  /** A paid call's claim and completion, a replay of it, and the resumption of a lapsed key. */
  const paidCalls = async () => {
    const call = newClaim();
    await store.claim(call, T0, LEASE);
    await store.complete(call.scope, call.key, OK, at(1));
    expect(await store.claim(call, at(2), LEASE)).toMatchObject({ claimed: false, existing: { state: 'DONE' } });
    const crashed = newClaim();
    await store.claim(crashed, T0, LEASE);
    expect(await store.claim(crashed, at(LEASE + 1), LEASE)).toMatchObject({ claimed: true, resumed: true });
  };

  it('builds and compiles nothing anew for a claim, a replay, a resumption or a completion once each has run', async () => {
    await paidCalls();
    expect(await compilesDuring(paidCalls)).toBe(0);
  });

  if (dialect === 'postgres') {
    it('sends every statement of a claim and a completion as a named prepared statement', async () => {
      await paidCalls();
      const statements = await postgresStatementsDuring(paidCalls);
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.filter((statement) => !statement.named)).toEqual([]);
    });
  }
});

describe('idempotency keys on one PostgreSQL shared by two replicas', () => {
  let postgres: TemporaryPostgres;
  let replicas: Database<IdempotencyTables>[];
  let stores: IdempotencyStore[];

  beforeAll(async () => {
    postgres = await createTemporaryPostgres('nexus_idempotency');
    replicas = [0, 1].map(() => openDatabase<IdempotencyTables>({ databaseUrl: postgres.url, poolSize: 10 }));
    stores = await Promise.all(replicas.map((replica) => createIdempotencyStore(replica)));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await postgres.drop();
  });

  const raceOnBoth = (claim: NewClaim, now: Date) =>
    Promise.all(Array.from({ length: 20 }, (_, index) => stores[index % 2]?.claim(claim, now, LEASE))).then((outcomes) =>
      outcomes.flatMap((outcome) => (outcome ? [outcome] : [])),
    );

  it('gives a new key to exactly one of 20 claims racing from both replicas', async () => {
    const outcomes = await raceOnBoth(newClaim(), T0);
    expect(outcomes).toHaveLength(20);
    expect(winners(outcomes)).toEqual([expect.objectContaining({ claimed: true, resumed: false })]);
  });

  it('gives a lapsed key to exactly one of 20 claims racing from both replicas', async () => {
    const claim = newClaim();
    await stores[0]?.claim(claim, T0, LEASE);
    const outcomes = await raceOnBoth(claim, at(LEASE + 1));
    expect(outcomes).toHaveLength(20);
    expect(winners(outcomes)).toEqual([expect.objectContaining({ claimed: true, resumed: true })]);
  });
});
