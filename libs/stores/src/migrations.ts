import { Migrator, type Kysely, type Migration } from 'kysely';

/**
 * Runs a store's migrations (in name order) at start-up. Each store keeps its
 * own history table; Kysely's lock makes concurrent starts against one
 * PostgreSQL database safe.
 */
export async function migrate(db: Kysely<unknown>, store: string, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `${store}_migrations`,
    migrationLockTableName: `${store}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`${store} store: migration ${failed} failed`, { cause: error });
  }
}
