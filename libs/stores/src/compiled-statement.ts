import { CompiledQuery, sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './database';

/**
 * A hot statement built and compiled once: its SQL text, and for each
 * placeholder the named argument (or the constant) that goes there.
 *
 * Why this and not hand-written SQL: the statement is still written with
 * Kysely, so table and column names stay type-checked and each dialect gets
 * its own text (`$1` on PostgreSQL, `?` on SQLite) from Kysely's own
 * compiler. Only the per-call work goes: no builder, no compile, the same
 * text every time, which stays prepared (SQLite's statement cache in
 * database.ts; PostgreSQL's named statements, prepared-pool.ts).
 */
export interface CompiledStatement<A, R> {
  readonly sql: string;
  /** Runs the statement with these arguments on `executor`: the database, or a transaction of it. */
  run(executor: Executor, args: A): Promise<R[]>;
  /** Runs it like `run`, for the number of rows it changed (an UPDATE or DELETE without RETURNING), as Kysely reports it. */
  affected(executor: Executor, args: A): Promise<number>;
}

/** The database or a transaction: all a compiled statement needs. */
export type Executor = Pick<Kysely<unknown>, 'executeQuery'>;

/** Stands for argument `name` in a statement being built. */
export type ArgumentOf<A> = <K extends keyof A & string>(name: K) => RawBuilder<A[K]>;

/**
 * Builds the statement once with a placeholder value for each argument
 * (`arg('name')`), compiles it with the database's dialect, notes where
 * each placeholder landed among the parameters, and keeps the text prepared.
 */
export function compileStatement<A extends object, R, DB>(
  database: Database<DB>,
  build: (arg: ArgumentOf<A>) => Compilable<R> | RawBuilder<R>,
): CompiledStatement<A, R> {
  const placeholders = new Map<unknown, keyof A>();
  function arg<K extends keyof A & string>(name: K): RawBuilder<A[K]> {
    const placeholder = { argument: name };
    placeholders.set(placeholder, name);
    return sql<A[K]>`${placeholder}`;
  }
  const query = build(arg);
  const compiled = 'isRawBuilder' in query ? query.compile(database.db) : query.compile();
  const sources = compiled.parameters.map((parameter) => {
    const name = placeholders.get(parameter);
    return name === undefined ? () => parameter : (args: A) => args[name];
  });
  const text = compiled.sql;
  database.keepPrepared(text);
  const execute = (executor: Executor, args: A) =>
    executor.executeQuery<R>(
      CompiledQuery.raw(
        text,
        sources.map((source) => source(args)),
      ),
    );
  return {
    sql: text,
    run: async (executor, args) => (await execute(executor, args)).rows,
    // As Kysely's own numDeletedRows / numUpdatedRows: no count reported is none.
    affected: async (executor, args) => Number((await execute(executor, args)).numAffectedRows ?? 0n),
  };
}
