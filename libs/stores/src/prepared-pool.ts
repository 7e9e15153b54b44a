import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/**
 * PostgreSQL: Kysely sends every query unnamed, so the server parses and
 * plans it on every call; for the policy's snapshot read (a join of six
 * tables and three sums) that costs several times the run itself. The texts
 * kept here go as named prepared statements instead: each connection parses
 * and plans one once, then only binds and runs it (pg remembers which names
 * each connection has prepared). Only the hot statements are kept: the server
 * holds every prepared statement until its connection closes.
 */
export class PreparedStatementPool implements PostgresPool {
  private readonly names = new Map<string, string>();

  constructor(private readonly pool: pg.Pool) {}

  /** From now on, `text` runs as a named prepared statement. */
  keep(text: string): void {
    if (!this.names.has(text)) this.names.set(text, `nexus_${this.names.size + 1}`);
  }

  async connect(): Promise<PostgresPoolClient> {
    return new PreparingClient(await this.pool.connect(), this.names);
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

class PreparingClient implements PostgresPoolClient {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly names: ReadonlyMap<string, string>,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    query: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    const plain: PostgresPoolClient = this.client;
    if (typeof query !== 'string') return plain.query(query);
    const name = this.names.get(query);
    return name === undefined ? plain.query<R>(query, parameters) : this.named<R>(name, query, parameters);
  }

  release(): void {
    this.client.release();
  }

  private async named<R>(name: string, text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    const result = await this.client.query<R & pg.QueryResultRow>({ name, text, values: [...parameters] });
    // The same fields Kysely's own driver reads from pg's result; pg types the command as any string.
    return { command: result.command as PostgresQueryResult<R>['command'], rowCount: result.rowCount ?? 0, rows: result.rows };
  }
}
