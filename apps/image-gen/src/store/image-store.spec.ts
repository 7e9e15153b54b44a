import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '@nexus/stores';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { renderImage } from '../render/render-image';
import { createImageStore, type ImageStore } from './image-store';
import type { ImageTables } from './image-tables';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const png = renderImage({ prompt: 'green hills', width: 64, height: 48, format: 'png', seed: 1 });
const svg = renderImage({ prompt: 'green hills', width: 64, height: 48, format: 'svg', seed: 1 });

describe.each(['sqlite', 'postgres'] as const)('image store on %s', (dialect) => {
  let database: Database<ImageTables>;
  let store: ImageStore;
  let postgres: TemporaryPostgres | undefined;
  let sqlitePath: string;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_image_gen') : undefined;
    sqlitePath = join(mkdtempSync(join(tmpdir(), 'nexus-images-')), 'image-gen.sqlite');
    database = openDatabase<ImageTables>(postgres ? { databaseUrl: postgres.url } : { sqlitePath });
    store = await createImageStore(database);
  });
  afterEach(async () => {
    await database.close();
    await postgres?.drop();
  });

  it('gives back the exact bytes, type and parameters of an image it kept', async () => {
    expect(await store.save(png, 'green hills', T0)).toBe(true);
    expect(await store.save(svg, 'green hills', T0)).toBe(true);

    const found = await store.find(png.contentHash);
    expect(found).toEqual({
      contentHash: png.contentHash,
      format: 'png',
      mediaType: 'image/png',
      width: 64,
      height: 48,
      seed: 1,
      bytes: png.bytes,
      createdAt: T0,
    });
    expect(found?.bytes.equals(png.bytes)).toBe(true);
    expect((await store.find(svg.contentHash))?.bytes.toString('utf8')).toBe(svg.bytes.toString('utf8'));
  });

  it('keeps an image once however often it is saved, even concurrently', async () => {
    const added = await Promise.all(Array.from({ length: 8 }, () => store.save(png, 'green hills', T0)));

    expect(added.filter(Boolean)).toHaveLength(1);
    expect(await store.find(png.contentHash)).toMatchObject({ createdAt: T0 });
  });

  it('finds nothing under a hash it never kept', async () => {
    expect(await store.find('0'.repeat(64))).toBeUndefined();
  });

  it('keeps its images across a restart', async () => {
    await store.save(png, 'green hills', T0);
    await database.close();
    database = openDatabase<ImageTables>(postgres ? { databaseUrl: postgres.url } : { sqlitePath });
    store = await createImageStore(database);

    expect((await store.find(png.contentHash))?.bytes.equals(png.bytes)).toBe(true);
  });
});
