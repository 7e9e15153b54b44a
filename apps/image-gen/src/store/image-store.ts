import type { Kysely } from 'kysely';
import { migrate, type Database } from '@nexus/stores';
import { ImageFormat } from '@nexus/types';
import type { RenderedImage } from '../render/render-image';
import { imageMigrations } from './image-migrations';
import type { ImageTables } from './image-tables';

export interface StoredImage {
  contentHash: string;
  format: ImageFormat;
  mediaType: string;
  width: number;
  height: number;
  seed: number;
  bytes: Buffer;
  createdAt: Date;
}

/** Rendered images, kept so `GET /images/:contentHash` serves them again. */
export interface ImageStore {
  /** Keeps the image; an image already kept (same bytes) stays as it was. True when this call added it. */
  save: (image: RenderedImage, prompt: string, now: Date) => Promise<boolean>;
  find: (contentHash: string) => Promise<StoredImage | undefined>;
}

/** Migrates IMAGE_GEN's tables in the provider's database and hands back the store over them. */
export async function createImageStore(database: Database<ImageTables>): Promise<ImageStore> {
  await migrate(database.db as Kysely<unknown>, 'image_gen', imageMigrations(database.dialect));
  const db = database.db;
  return {
    async save(image, prompt, now) {
      const inserted = await db
        .insertInto('images')
        .values({
          content_hash: image.contentHash,
          format: image.format,
          media_type: image.mediaType,
          width: BigInt(image.width),
          height: BigInt(image.height),
          seed: BigInt(image.seed),
          prompt,
          bytes: image.bytes,
          created_at: BigInt(now.getTime()),
        })
        .onConflict((oc) => oc.column('content_hash').doNothing())
        .executeTakeFirst();
      return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async find(contentHash) {
      const row = await db.selectFrom('images').selectAll().where('content_hash', '=', contentHash).executeTakeFirst();
      if (!row) return undefined;
      return {
        contentHash: row.content_hash,
        format: ImageFormat.parse(row.format),
        mediaType: row.media_type,
        width: Number(row.width),
        height: Number(row.height),
        seed: Number(row.seed),
        bytes: Buffer.from(row.bytes),
        createdAt: new Date(Number(row.created_at)),
      };
    },
  };
}
