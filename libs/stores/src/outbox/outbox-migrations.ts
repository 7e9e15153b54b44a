import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database';

/**
 * The outbox's DDL. Only the sequence column differs between the dialects
 * (SQLite AUTOINCREMENT, which never reuses a number; a PostgreSQL identity).
 * Append new migrations; never edit a shipped one.
 */
export function outboxMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('outbox_messages')
          .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn('topic', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('dead_at', 'bigint')
          .addUniqueConstraint('outbox_messages_topic_message_id', ['topic', 'message_id'])
          .execute();
        await db.schema.createIndex('outbox_messages_queue').on('outbox_messages').columns(['topic', 'state', 'seq']).execute();
      },
    },
  };
}
