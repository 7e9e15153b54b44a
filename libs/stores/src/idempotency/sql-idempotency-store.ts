import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { idempotencyMigrations } from './idempotency-migrations';
import { ms, toIdempotencyRecord } from './idempotency-rows';
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
  return new SqlIdempotencyStore(database.db);
}

class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Kysely<IdempotencyTables>) {}

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
    for (let lap = 0; lap < CLAIM_LAPS; lap += 1) {
      const inserted = await this.db
        .insertInto('idempotency_keys')
        .values({
          scope: claim.scope,
          key: claim.key,
          fingerprint: claim.fingerprint,
          state: 'IN_FLIGHT',
          status: null,
          body: null,
          locked_until: lockedUntil,
          created_at: ms(now),
          updated_at: ms(now),
        })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { claimed: true, record: toIdempotencyRecord(inserted), resumed: false };

      const resumed = await this.db
        .updateTable('idempotency_keys')
        .set({ locked_until: lockedUntil, updated_at: ms(now) })
        .where('scope', '=', claim.scope)
        .where('key', '=', claim.key)
        .where('state', '=', 'IN_FLIGHT')
        .where('locked_until', '<', ms(now))
        .returningAll()
        .executeTakeFirst();
      if (resumed) return { claimed: true, record: toIdempotencyRecord(resumed), resumed: true };

      const existing = await this.get(claim.scope, claim.key);
      if (existing) return { claimed: false, existing };
    }
    throw new Error(`idempotency key ${claim.scope}/${claim.key} kept vanishing while being claimed`);
  }

  async complete(scope: string, key: string, answer: StoredAnswer, now: Date): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ state: 'DONE', status: BigInt(answer.status), body: answer.body, updated_at: ms(now) })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('state', '=', 'IN_FLIGHT')
      .execute();
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
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
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
