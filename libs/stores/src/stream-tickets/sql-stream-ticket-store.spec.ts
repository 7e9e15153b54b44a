import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import { createStreamTicketStore } from './sql-stream-ticket-store';
import type { StreamTicketStore } from './stream-ticket-store';
import type { StreamTicketTables } from './stream-ticket-tables';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const newDigest = () => createHash('sha256').update(randomBytes(32)).digest('hex');

describe.each(['sqlite', 'postgres'] as const)('stream tickets on %s', (dialect) => {
  let store: StreamTicketStore;
  let database: Database<StreamTicketTables>;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_tickets') : undefined;
    database = openDatabase<StreamTicketTables>(
      postgres
        ? { databaseUrl: postgres.url, poolSize: 10 }
        : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-tickets-')), 'g.sqlite') },
    );
    store = await createStreamTicketStore(database);
  });
  afterEach(async () => {
    await database.close();
    await postgres?.drop();
  });

  it('redeems a ticket once, for its holder', async () => {
    const digest = newDigest();
    await store.issue({ digest, holder: 'agent:user-agent', expiresAt: at(60_000) }, T0);

    expect(await store.redeem(digest, at(1_000))).toBe('agent:user-agent');
    expect(await store.redeem(digest, at(2_000))).toBeUndefined();
  });

  it('refuses an expired ticket and an unknown one', async () => {
    const digest = newDigest();
    await store.issue({ digest, holder: 'admin', expiresAt: at(60_000) }, T0);

    expect(await store.redeem(digest, at(60_000))).toBeUndefined();
    expect(await store.redeem(newDigest(), at(1_000))).toBeUndefined();
  });

  it('lets one of racing redemptions win', async () => {
    const digest = newDigest();
    await store.issue({ digest, holder: 'admin', expiresAt: at(60_000) }, T0);

    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.redeem(digest, at(1_000))));

    expect(outcomes.filter((holder) => holder === 'admin')).toHaveLength(1);
  });

  it('purges tickets expired before a time, and keeps the others', async () => {
    const old = newDigest();
    const fresh = newDigest();
    await store.issue({ digest: old, holder: 'admin', expiresAt: at(60_000) }, T0);
    await store.issue({ digest: fresh, holder: 'admin', expiresAt: at(180_000) }, T0);

    expect(await store.purge(at(120_000))).toBe(1);
    expect(await store.redeem(fresh, at(120_000))).toBe('admin');
  });
});
