import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from './database';
import { createTemporaryPostgres, testPostgresUrl } from './testing/temporary-postgres';

describe('openDatabase', () => {
  it('survives PostgreSQL dropping its idle connections, and reconnects', async () => {
    const temporary = await createTemporaryPostgres();
    const lost: Error[] = [];
    const database = openDatabase({ databaseUrl: temporary.url, onConnectionError: (error) => lost.push(error) });
    try {
      await database.ping();
      const admin = new pg.Client({ connectionString: testPostgresUrl() });
      await admin.connect();
      const name = new URL(temporary.url).pathname.slice(1);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      await admin.end();
      for (let i = 0; i < 50 && lost.length === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(lost[0]?.message).toMatch(/terminating connection/);
      await expect(database.ping()).resolves.toBeUndefined();
    } finally {
      await database.close();
      await temporary.drop();
    }
  });

  it('hands back integers as bigint on both dialects', async () => {
    const temporary = await createTemporaryPostgres();
    const databases = [openDatabase({ databaseUrl: temporary.url }), openDatabase({ sqlitePath: ':memory:' })];
    try {
      for (const database of databases) {
        const { rows } = await sql<{ big: bigint }>`select cast(9007199254740993 as bigint) as big`.execute(database.db);
        expect(rows[0]?.big).toBe(9_007_199_254_740_993n);
      }
    } finally {
      await Promise.all(databases.map((d) => d.close()));
      await temporary.drop();
    }
  });
});
