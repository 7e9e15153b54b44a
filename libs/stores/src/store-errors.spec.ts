import { createConnection } from 'node:net';
import { openDatabase } from './database';
import { isStoreUnavailable } from './store-errors';

describe('isStoreUnavailable', () => {
  it('recognises a PostgreSQL server that refuses connections', async () => {
    const database = openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' });
    const error = await database.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    await database.close();
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it('recognises a database that does not exist (dropped under a running service)', async () => {
    const url = new URL(process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test');
    url.pathname = '/nexus_no_such_database';
    const database = openDatabase({ databaseUrl: url.toString() });
    const error = await database.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    await database.close();
    expect(error).toMatchObject({ code: '3D000' });
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it('recognises a store that was closed, and SQLite busy/IO codes, also as a cause', async () => {
    const database = openDatabase({ sqlitePath: ':memory:' });
    await database.ping();
    await database.close();
    const error = await database.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreUnavailable(error)).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isStoreUnavailable(new Error('wrapped', { cause: { code: 'ECONNRESET', message: 'reset' } }))).toBe(true);
  });

  it('does not take a bug for an outage', () => {
    expect(isStoreUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    expect(isStoreUnavailable('a string')).toBe(false);
    expect(isStoreUnavailable(undefined)).toBe(false);
  });

  it('keeps the socket error of a refused connection recognisable', async () => {
    const error = await new Promise<unknown>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: 1 });
      socket.on('error', resolve);
    });
    expect(isStoreUnavailable(error)).toBe(true);
  });
});
