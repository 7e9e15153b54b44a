import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { ArchiveStore, NewArchive } from './archive-store';
import type { ArchiveTables } from './archive-tables';
import { createArchiveStore } from './sql-archive-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function newArchive(content: string, overrides: Partial<NewArchive> = {}): NewArchive {
  return {
    id: `arc_${hex(16)}`,
    paymentId: `pay_${hex(16)}`,
    variant: 'full',
    lineCount: 2,
    storedBytes: Buffer.byteLength(content, 'utf8'),
    contentHash: createHash('sha256').update(content, 'utf8').digest('hex'),
    content,
    ...overrides,
  };
}

describe.each(['sqlite', 'postgres'] as const)('archives on %s', (dialect) => {
  let database: Database<ArchiveTables>;
  let store: ArchiveStore;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_archives') : undefined;
    database = openDatabase<ArchiveTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-archives-')), 'log-archive.sqlite') },
    );
    store = await createArchiveStore(database);
  });
  afterEach(async () => {
    await database.close();
    await postgres?.drop();
  });

  it('reads back exactly what was stored, byte for byte, non-ASCII and escapes included', async () => {
    const content = '[{"level":"info","message":"caf\u00e9 \ud83d\ude80 \\u0000 ok","timestamp":"2026-03-10T12:00:00Z"}]';
    const { archive, created } = await store.save(newArchive(content), T0);

    expect(created).toBe(true);
    expect(archive).toMatchObject({ variant: 'full', lineCount: 2, content, createdAt: T0 });
    const read = await store.get(archive.id);
    expect(read).toEqual(archive);
    expect(
      createHash('sha256')
        .update(read?.content ?? '', 'utf8')
        .digest('hex'),
    ).toBe(read?.contentHash);
  });

  it('stores one archive per payment and hands back the first on a second save', async () => {
    const first = await store.save(newArchive('[1]', { paymentId: 'pay_same' }), T0);
    const again = await store.save(newArchive('{"other":true}', { paymentId: 'pay_same', variant: 'summary' }), new Date(T0.getTime() + 5));

    expect(again).toEqual({ created: false, archive: first.archive });
  });

  it('creates exactly one archive when 20 saves for one payment race', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.save(newArchive('[]', { paymentId: 'pay_raced' }), T0)));
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    expect(new Set(outcomes.map((outcome) => outcome.archive.id)).size).toBe(1);
  });

  it('keeps a summary apart from a full archive and finds neither under an unknown id', async () => {
    const summary = await store.save(newArchive('{"lineCount":3}', { variant: 'summary', lineCount: 3 }), T0);
    expect(await store.get(summary.archive.id)).toMatchObject({ variant: 'summary', lineCount: 3, content: '{"lineCount":3}' });
    expect(await store.get(`arc_${hex(16)}`)).toBeUndefined();
  });
});
