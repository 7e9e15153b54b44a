import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@nexus/chain/testing';
import { generateSigningKeyPair } from '@nexus/config';
import { tokenSha256 } from '@nexus/service-kit';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { CALLERS_ACCEPTED_BY, callerDigestEnv } from '@nexus/types';
import { bundlePath } from '../stack/build';
import type { Watched } from './cpu-usage';
import type { LoadSpec } from './load';
import { startNode, type NodeProcess } from './node-process';
import type { Profiling } from './profiling';
import type { LoadKind, LoadRow } from './report';
import { out } from './out';
import { measureSeries } from './series';
import type { BenchSettings } from './settings';

export const DECIDE_CONNECTIONS = [1, 10, 50] as const;
/** Budgets no run can exhaust, so every decision takes the whole path: decide and hold. */
const UNLIMITED = '900000000000.00';

export interface RunningPolicy {
  url: string;
  process: NodeProcess;
  /** what every decide run sends */
  spec: Omit<LoadSpec, 'connections' | 'seconds'>;
  stop(): Promise<void>;
}

/**
 * Starts the policy bundle alone on a free port, over SQLite in a fresh
 * directory or over `databaseUrl`; `profiling` preloads the CPU profiler.
 */
export async function startPolicy(databaseUrl: string | undefined, profiling?: Profiling): Promise<RunningPolicy> {
  const port = await freePort();
  // The bench calls as the gateway (decide is the gateway's alone); the policy needs the hash of each caller it accepts.
  const tokens = new Map(CALLERS_ACCEPTED_BY.policy.map((caller) => [caller, randomBytes(24).toString('hex')] as const));
  const token = tokens.get('gateway') ?? '';
  const dataDir = mkdtempSync(join(tmpdir(), 'nexus-bench-policy-'));
  const url = `http://127.0.0.1:${port}`;
  const child = await startNode({
    args: [...(profiling?.flags ?? []), bundlePath('policy')],
    env: {
      POLICY_TOKEN: randomBytes(24).toString('hex'),
      ...Object.fromEntries([...tokens].map(([caller, value]) => [callerDigestEnv(caller), tokenSha256(value)])),
      // decide signs each hold's grant, as in production: a fresh key, nobody pays with it here
      POLICY_GRANT_PRIVATE_KEY: generateSigningKeyPair().privateKey,
      POLICY_PORT: String(port),
      NEXUS_DATA_DIR: dataDir,
      NEXUS_TREASURY_DAILY_LIMIT: UNLIMITED,
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...profiling?.env,
    },
    healthUrl: `${url}/health`,
  });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const budget = await fetch(`${url}/agents/user-agent/budget`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ dailyBudget: UNLIMITED }),
  });
  if (!budget.ok) {
    await child.stop();
    throw new Error(`the policy refused the bench budget: ${budget.status} ${await budget.text()}`);
  }
  const run = randomBytes(4).toString('hex');
  return {
    url,
    process: child,
    spec: {
      url,
      method: 'POST',
      path: '/decisions',
      headers,
      body: (n) => JSON.stringify({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', idempotencyKey: `bench-${run}-${n}` }),
      expectStatus: 201,
    },
    stop: async () => {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL server processes serving `databaseUrl`'s database (its backends, from pg_stat_activity), when the server is on this machine. */
async function postgresBackends(databaseUrl: string): Promise<Watched[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => ({ project: 'postgresql', pid: row.pid }));
  } finally {
    await client.end();
  }
}

async function benchStore(kind: LoadKind, target: string, databaseUrl: string | undefined, settings: BenchSettings): Promise<LoadRow[]> {
  const policy = await startPolicy(databaseUrl);
  try {
    return await measureSeries({
      kind,
      target,
      spec: policy.spec,
      connections: DECIDE_CONNECTIONS,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      watched: async () => [{ project: 'policy', pid: policy.process.pid }, ...(databaseUrl ? await postgresBackends(databaseUrl) : [])],
    });
  } finally {
    await policy.stop();
  }
}

/** Runs `use` with a throw-away PostgreSQL database, dropped after; a note instead when PostgreSQL is not reachable. */
export async function withTemporaryPostgres<T>(use: (url: string) => Promise<T>, notes: string[]): Promise<T | undefined> {
  let database: TemporaryPostgres;
  try {
    database = await createTemporaryPostgres('nexus_bench');
  } catch (error) {
    const note = `PostgreSQL not reachable (${error instanceof Error ? error.message : String(error)}): its runs were skipped`;
    notes.push(note);
    out(`  ${note}`);
    return undefined;
  }
  try {
    return await use(database.url);
  } finally {
    await database.drop();
  }
}

/** Policy decide (POST /decisions, each a new hold) on SQLite, then on a throw-away PostgreSQL database. */
export async function benchDecide(settings: BenchSettings, notes: string[]): Promise<LoadRow[]> {
  const rows = await benchStore('decide-sqlite', 'policy decide, SQLite', undefined, settings);
  const postgres = await withTemporaryPostgres((url) => benchStore('decide-postgres', 'policy decide, PostgreSQL', url, settings), notes);
  return [...rows, ...(postgres ?? [])];
}
