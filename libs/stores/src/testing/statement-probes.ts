import SqliteDatabase from 'better-sqlite3';
import { DefaultQueryCompiler } from 'kysely';
import pg from 'pg';

/**
 * How many statements Kysely built and compiled while `run` ran: none, once
 * a store's hot statements are compiled once (compiled-statement.ts), so a
 * store that goes back to building them per call fails the check.
 */
export async function compilesDuring(run: () => Promise<unknown>): Promise<number> {
  // Every dialect's compiler inherits compileQuery from the default one.
  const compiles = jest.spyOn(DefaultQueryCompiler.prototype, 'compileQuery');
  try {
    await run();
    return compiles.mock.calls.length;
  } finally {
    compiles.mockRestore();
  }
}

const TRANSACTION_CONTROL = /^(begin|commit|rollback)\b/i;

/**
 * The statements `run` sent to PostgreSQL, besides a transaction's BEGIN and
 * COMMIT, and whether each went as a named prepared statement (parsed and
 * planned once per connection, see prepared-pool.ts).
 */
export async function postgresStatementsDuring(run: () => Promise<unknown>): Promise<{ text: string; named: boolean }[]> {
  const queries = jest.spyOn(pg.Client.prototype, 'query');
  try {
    await run();
    return queries.mock.calls
      .map(([sent]) => {
        const query: unknown = sent;
        return typeof query === 'object' && query !== null && 'text' in query
          ? { text: String(query.text), named: 'name' in query && query.name !== undefined }
          : { text: String(query), named: false };
      })
      .filter((statement) => !TRANSACTION_CONTROL.test(statement.text.trim()));
  } finally {
    queries.mockRestore();
  }
}

/**
 * What `run` costs in statement work: how many queries Kysely built and
 * compiled, and the queries sent (on PostgreSQL; a hot one names its
 * prepared statement) or prepared anew (on SQLite).
 */
export async function statementWork(
  run: () => Promise<unknown>,
): Promise<{ compiled: number; sent: { named: boolean }[]; prepared: number }> {
  const compiles = jest.spyOn(DefaultQueryCompiler.prototype, 'compileQuery');
  const queries = jest.spyOn(pg.Client.prototype, 'query');
  const prepares = jest.spyOn(SqliteDatabase.prototype, 'prepare');
  try {
    await run();
    return {
      compiled: compiles.mock.calls.length,
      sent: queries.mock.calls.map(([query]) => ({ named: typeof query === 'object' && query !== null && 'name' in query })),
      prepared: prepares.mock.calls.length,
    };
  } finally {
    compiles.mockRestore();
    queries.mockRestore();
    prepares.mockRestore();
  }
}
