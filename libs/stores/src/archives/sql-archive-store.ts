import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { archiveMigrations } from './archive-migrations';
import { toArchive } from './archive-rows';
import type { ArchiveRecord, ArchiveStore, NewArchive } from './archive-store';
import type { ArchiveTables } from './archive-tables';

/**
 * Opens (and migrates) the archives of a LOG_ARCHIVE provider on its
 * database (SQLite or PostgreSQL). The database stays the caller's to close.
 */
export async function createArchiveStore(database: Database<ArchiveTables>): Promise<ArchiveStore> {
  await migrate(database.db as Kysely<unknown>, 'archives', archiveMigrations);
  return new SqlArchiveStore(database.db);
}

class SqlArchiveStore implements ArchiveStore {
  constructor(private readonly db: Kysely<ArchiveTables>) {}

  async save(archive: NewArchive, now: Date): Promise<{ archive: ArchiveRecord; created: boolean }> {
    const inserted = await this.db
      .insertInto('archives')
      .values({
        id: archive.id,
        payment_id: archive.paymentId,
        variant: archive.variant,
        line_count: BigInt(archive.lineCount),
        stored_bytes: BigInt(archive.storedBytes),
        content_hash: archive.contentHash,
        content: archive.content,
        created_at: BigInt(now.getTime()),
      })
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { archive: toArchive(inserted), created: true };
    const existing = await this.db.selectFrom('archives').selectAll().where('payment_id', '=', archive.paymentId).executeTakeFirstOrThrow();
    return { archive: toArchive(existing), created: false };
  }

  async get(id: string): Promise<ArchiveRecord | undefined> {
    const row = await this.db.selectFrom('archives').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toArchive(row);
  }
}
