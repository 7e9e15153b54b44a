import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '@nexus/stores';

/** IMAGE_GEN's tables. Append new migrations; never edit a shipped one. */
export function imageMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_images': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('images')
          .addColumn('content_hash', 'text', (c) => c.primaryKey())
          .addColumn('format', 'text', (c) => c.notNull())
          .addColumn('media_type', 'text', (c) => c.notNull())
          .addColumn('width', 'bigint', (c) => c.notNull())
          .addColumn('height', 'bigint', (c) => c.notNull())
          .addColumn('seed', 'bigint', (c) => c.notNull())
          .addColumn('prompt', 'text', (c) => c.notNull())
          .addColumn('bytes', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
  };
}
