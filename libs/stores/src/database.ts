import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase as KyselySqliteDatabase } from 'kysely';
import pg from 'pg';
import { PreparedStatementPool } from './prepared-pool';

export type Dialect = 'sqlite' | 'postgres';

export interface Database<DB> {
  db: Kysely<DB>;
  dialect: Dialect;
  /**
   * Keeps a hot statement's text prepared: on PostgreSQL each connection
   * parses and plans it once (see prepared-pool.ts); SQLite caches every
   * prepared statement anyway.
   */
  keepPrepared: (text: string) => void;
  /** Throws when the database does not answer (health checks). */
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A `postgres://` URL: PostgreSQL. Absent: SQLite at `sqlitePath`. */
  databaseUrl?: string;
  /** SQLite file (its directory is created) or `:memory:`. */
  sqlitePath?: string;
  /** PostgreSQL pool size; 10 by default. */
  poolSize?: number;
  /** Names the connection in `pg_stat_activity`. */
  applicationName?: string;
  /**
   * Told when an idle PostgreSQL connection dies (server restart, admin
   * command). The pool drops it and opens a new one on demand; without this
   * listener the error would crash the process.
   */
  onConnectionError?: (error: Error) => void;
}

const INT8_OID = 20;

/** PostgreSQL int8 as bigint (the pg default is a string), so both dialects hand back the same types. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Opens a service's store: PostgreSQL when a URL is given, else an embedded
 * SQLite file in WAL mode. Every integer column comes back as a bigint in both.
 */
export function openDatabase<DB>(options: OpenDatabaseOptions): Database<DB> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'nexus',
      types: pgTypes,
    });
    pool.on('error', (error) => options.onConnectionError?.(error));
    const prepared = new PreparedStatementPool(pool);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: prepared }) });
    return {
      db,
      dialect: 'postgres',
      keepPrepared: (text) => prepared.keep(text),
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: () => db.destroy(),
    };
  }
  const path = options.sqlitePath ?? ':memory:';
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = openSqlite(path);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    keepPrepared: () => undefined,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
      // Kysely closes only a connection it has used; the file lock must go either way.
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * An embedded store serves one process: the service's transactions are
 * serialised on its single connection, which says nothing of another process.
 * So the file is locked for as long as it is open (WAL, exclusive locking
 * mode, claimed with a first write), and a second instance on the same data
 * directory stops at once with a clear error instead of racing. Several
 * replicas use PostgreSQL.
 */
function openSqlite(path: string): SqliteDatabase.Database {
  const sqlite = new SqliteDatabase(path);
  try {
    sqlite.pragma('busy_timeout = 1000');
    if (path !== ':memory:') sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.exec('BEGIN IMMEDIATE; COMMIT;');
  } catch (error: unknown) {
    sqlite.close();
    const busy = typeof error === 'object' && error !== null && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
    if (!busy) throw error;
    throw new Error(`${path} is in use by another process: an SQLite store serves one instance (set DATABASE_URL to run several)`, {
      cause: error,
    });
  }
  sqlite.defaultSafeIntegers(true);
  return sqlite;
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query anew; preparing costs more than running these
 * small statements. Reuse them (safe: the dialect runs one query at a time on
 * its single connection), keeping the few hundred used last: the hot path's
 * statements (compiled once, the same text every call) stay while in use.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (text) => {
      const cached = cache.get(text);
      // A Map keeps insertion order: moving each used statement to the end keeps the least recently used first.
      if (cached) cache.delete(text);
      else if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
      const statement = cached ?? sqlite.prepare(text);
      cache.set(text, statement);
      return statement;
    },
  };
}

/**
 * One database shared by several stores of a service (e.g. the gateway's
 * idempotency keys and its outbox): each store sees it with its own tables.
 * Kysely's table types are invariant, so this is the one place that narrows.
 */
export function storeView<DB>(database: Database<unknown>): Database<DB> {
  return database as unknown as Database<DB>;
}
