import type { Kysely } from 'kysely';
import { type ArgumentOf, compileStatement } from '../compiled-statement';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { idempotencyMigrations } from './idempotency-migrations';
import { ms, toIdempotencyRecord, type IdempotencyRow } from './idempotency-rows';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore, NewClaim, StoredAnswer } from './idempotency-store';
import type { IdempotencyTables } from './idempotency-tables';

/**
 * How often a claim starts over when the row it conflicted with is gone by
 * the time it looks (abandoned or purged in between). Each lap needs another
 * attempt to delete the row in that instant, so a few are plenty.
 */
const CLAIM_LAPS = 5;

/**
 * Opens (and migrates) the gateway's idempotency keys on its database (SQLite
 * or PostgreSQL). The database stays the caller's to close.
 */
export async function createIdempotencyStore(database: Database<IdempotencyTables>): Promise<IdempotencyStore> {
  await migrate(database.db as Kysely<unknown>, 'idempotency', idempotencyMigrations);
  return new SqlIdempotencyStore(database);
}

/**
 * Every column, by name: a prepared statement must not change its result's
 * shape when the table gains a column (see compiled-statement.ts).
 */
const COLUMNS = [
  'scope',
  'key',
  'fingerprint',
  'state',
  'status',
  'body',
  'locked_until',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof IdempotencyRow)[];

type KeyArgs = { scope: string; key: string };

/** A paid call's statements (claim, and complete), built and compiled once for the store's dialect. */
function compileKeyStatements(database: Database<IdempotencyTables>) {
  const { db } = database;
  return {
    insert: compileStatement(database, (arg: ArgumentOf<KeyArgs & { fingerprint: string; locked_until: bigint; now: bigint }>) =>
      db
        .insertInto('idempotency_keys')
        .values({
          scope: arg('scope'),
          key: arg('key'),
          fingerprint: arg('fingerprint'),
          state: 'IN_FLIGHT',
          status: null,
          body: null,
          locked_until: arg('locked_until'),
          created_at: arg('now'),
          updated_at: arg('now'),
        })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .returning(COLUMNS),
    ),
    resume: compileStatement(database, (arg: ArgumentOf<KeyArgs & { locked_until: bigint; now: bigint }>) =>
      db
        .updateTable('idempotency_keys')
        .set({ locked_until: arg('locked_until'), updated_at: arg('now') })
        .where('scope', '=', arg('scope'))
        .where('key', '=', arg('key'))
        .where('state', '=', 'IN_FLIGHT')
        .where('locked_until', '<', arg('now'))
        .returning(COLUMNS),
    ),
    get: compileStatement(database, (arg: ArgumentOf<KeyArgs>) =>
      db.selectFrom('idempotency_keys').select(COLUMNS).where('scope', '=', arg('scope')).where('key', '=', arg('key')),
    ),
    complete: compileStatement(database, (arg: ArgumentOf<KeyArgs & { status: bigint; body: string; now: bigint }>) =>
      db
        .updateTable('idempotency_keys')
        .set({ state: 'DONE', status: arg('status'), body: arg('body'), updated_at: arg('now') })
        .where('scope', '=', arg('scope'))
        .where('key', '=', arg('key'))
        .where('state', '=', 'IN_FLIGHT'),
    ),
  };
}

class SqlIdempotencyStore implements IdempotencyStore {
  private readonly db: Kysely<IdempotencyTables>;
  // The paid call's statements, built and compiled once (see compiled-statement.ts); the rare ones are built when used.
  private readonly statements: ReturnType<typeof compileKeyStatements>;

  constructor(database: Database<IdempotencyTables>) {
    this.db = database.db;
    this.statements = compileKeyStatements(database);
  }

  /**
   * Each step is one statement that decides on the row as it is when it runs,
   * never on an earlier read: the insert takes a new key (the primary key
   * turns every other racer away), the update takes over a lapsed lock (its
   * WHERE is checked again on the row once any racing update has committed,
   * so one racer wins). Only what is left, a key someone holds or answered,
   * is read back.
   */
  async claim(claim: NewClaim, now: Date, leaseMs: number): Promise<ClaimResult> {
    if (!Number.isFinite(leaseMs) || leaseMs <= 0)
      throw new RangeError(`an idempotency lease must be a positive number of ms, not ${leaseMs}`);
    const lockedUntil = ms(new Date(now.getTime() + leaseMs));
    const key = { scope: claim.scope, key: claim.key };
    for (let lap = 0; lap < CLAIM_LAPS; lap += 1) {
      const [inserted] = await this.statements.insert.run(this.db, {
        ...key,
        fingerprint: claim.fingerprint,
        locked_until: lockedUntil,
        now: ms(now),
      });
      if (inserted) return { claimed: true, record: toIdempotencyRecord(inserted), resumed: false };

      const [resumed] = await this.statements.resume.run(this.db, { ...key, locked_until: lockedUntil, now: ms(now) });
      if (resumed) return { claimed: true, record: toIdempotencyRecord(resumed), resumed: true };

      const existing = await this.get(claim.scope, claim.key);
      if (existing) return { claimed: false, existing };
    }
    throw new Error(`idempotency key ${claim.scope}/${claim.key} kept vanishing while being claimed`);
  }

  async complete(scope: string, key: string, answer: StoredAnswer, now: Date): Promise<void> {
    await this.statements.complete.run(this.db, { scope, key, status: BigInt(answer.status), body: answer.body, now: ms(now) });
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('state', '=', 'IN_FLIGHT')
      .execute();
  }

  async get(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const [row] = await this.statements.get.run(this.db, { scope, key });
    return row && toIdempotencyRecord(row);
  }

  async purge(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('state', '=', 'DONE')
      .where('updated_at', '<', ms(before))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
