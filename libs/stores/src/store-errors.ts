/**
 * Tells a store that cannot be reached or used right now (the database is
 * down, restarting, gone, or busy) from a bug. Callers answer the first with
 * 503 and a retry, never with a 500.
 */

/** PostgreSQL SQLSTATE classes and codes that mean "not available now" rather than "wrong query". */
const PG_UNAVAILABLE = [/^08/, /^53/, /^57P0[1-4]$/, /^3D000$/, /^40001$/, /^40P01$/];
/** Node socket errors on the way to the database. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
/** SQLite result codes for a busy, locked, full or unreadable database file. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY)/;
/** pg-pool and Kysely say these in words, without a code. */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Cannot use a pool after calling end/i,
  /driver has already been destroyed/i,
];

/** Duck-typed: socket errors come from Node's own realm and are not always `instanceof Error` where this runs. */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  if (NETWORK.has(code) || SQLITE_UNAVAILABLE.test(code) || PG_UNAVAILABLE.some((pattern) => pattern.test(code))) return true;
  if (MESSAGES.some((pattern) => pattern.test(message))) return true;
  return 'cause' in error && isStoreUnavailable(error.cause, depth + 1);
}
