import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TemporaryPostgres {
  /** URL of a fresh, empty database. */
  url: string;
  /** Drops the database (closing any connection still open to it). */
  drop: () => Promise<void>;
}

/** The server tests create their databases on: `TEST_DATABASE_URL`, else the local one. */
export function testPostgresUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** Creates a throw-away database next to `TEST_DATABASE_URL`'s, so tests never share state. */
export async function createTemporaryPostgres(prefix = 'nexus_test'): Promise<TemporaryPostgres> {
  const base = new URL(testPostgresUrl());
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base.toString() });
      await client.connect();
      try {
        // A closed pool's sessions end a moment after pool.end() resolves; let them go before forcing.
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const { rows } = await client.query<{ open: string }>('SELECT count(*) AS open FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]?.open === '0') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
