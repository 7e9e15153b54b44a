import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { migrate } from '../migrations';
import { streamTicketMigrations } from './stream-ticket-migrations';
import type { NewStreamTicket, StreamTicketStore } from './stream-ticket-store';
import type { StreamTicketTables } from './stream-ticket-tables';

const ms = (date: Date) => BigInt(date.getTime());

/**
 * Opens (and migrates) the gateway's stream tickets on its database (SQLite
 * or PostgreSQL), so a ticket issued by one replica opens a stream on
 * another. The database stays the caller's to close.
 */
export async function createStreamTicketStore(database: Database<StreamTicketTables>): Promise<StreamTicketStore> {
  await migrate(database.db as Kysely<unknown>, 'stream_tickets', streamTicketMigrations);
  return new SqlStreamTicketStore(database.db);
}

class SqlStreamTicketStore implements StreamTicketStore {
  constructor(private readonly db: Kysely<StreamTicketTables>) {}

  async issue(ticket: NewStreamTicket, now: Date): Promise<void> {
    await this.db
      .insertInto('stream_tickets')
      .values({ digest: ticket.digest, holder: ticket.holder, created_at: ms(now), expires_at: ms(ticket.expiresAt), used_at: null })
      .execute();
  }

  async redeem(digest: string, now: Date): Promise<string | undefined> {
    // One statement decides on the row as it is when it runs: of racing redemptions, one updates it.
    const row = await this.db
      .updateTable('stream_tickets')
      .set({ used_at: ms(now) })
      .where('digest', '=', digest)
      .where('used_at', 'is', null)
      .where('expires_at', '>', ms(now))
      .returning('holder')
      .executeTakeFirst();
    return row?.holder;
  }

  async purge(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('stream_tickets').where('expires_at', '<', ms(before)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
