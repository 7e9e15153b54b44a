/**
 * Measures policy decide throughput with autocannon, side by side with the
 * limit (a bare Express route on the same machine and load settings):
 * SQLite and PostgreSQL stores, 1, 10 and 50 connections. Prints a table and
 * writes the figures to tmp/bench/decide.json. Not a test: it asserts nothing.
 *
 *   npm run bench:decide            # 5 s per run
 *   BENCH_SECONDS=10 npm run bench:decide
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores';
import { buildApps, bundlePath, workspaceRoot } from '../stack/build';
import { waitHealthy } from '../stack/wait-healthy';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONNECTIONS = [1, 10, 50];
const TOKEN = randomBytes(24).toString('hex');
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Row {
  target: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function startProcess(args: string[], env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: workspaceRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitHealthy(`http://127.0.0.1:${port}/health`, 30_000);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  await new Promise<void>((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function load(target: string, port: number, connections: number, authorised: boolean): Promise<Row> {
  let n = 0;
  const run = randomBytes(4).toString('hex');
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: SECONDS,
    headers: {
      'content-type': 'application/json',
      ...(authorised ? { authorization: `Bearer ${TOKEN}` } : {}),
    },
    requests: [
      {
        method: 'POST',
        path: '/decisions',
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', idempotencyKey: `bench-${run}-${(n += 1)}` }),
        }),
      },
    ],
  });
  return {
    target,
    connections,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function benchPolicy(target: string, databaseUrl: string | undefined): Promise<Row[]> {
  const port = 18_005;
  const env: Record<string, string> = {
    INTERNAL_TOKEN: TOKEN,
    POLICY_PORT: String(port),
    NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-policy-')),
    NEXUS_TREASURY_DAILY_LIMIT: '900000000000.00',
    LOG_LEVEL: 'warn',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const child = await startProcess([bundlePath('policy')], env, port);
  try {
    // A budget no run can exhaust, so every call takes the full path: decide and hold.
    await fetch(`http://127.0.0.1:${port}/agents/user-agent/budget`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dailyBudget: '900000000000.00' }),
    });
    const rows: Row[] = [];
    for (const connections of CONNECTIONS) rows.push(await load(target, port, connections, true));
    return rows;
  } finally {
    await stopProcess(child);
  }
}

async function main(): Promise<void> {
  buildApps(['policy']);
  const rows: Row[] = [];
  const bare = await startProcess(['--import', 'tsx', resolve(__dirname, 'bare-server.ts')], { PORT: '18000' }, 18_000);
  try {
    for (const connections of CONNECTIONS) rows.push(await load('bare express (limit)', 18_000, connections, false));
  } finally {
    await stopProcess(bare);
  }
  rows.push(...(await benchPolicy('policy decide, SQLite', undefined)));
  let postgres: TemporaryPostgres | undefined;
  try {
    postgres = await createTemporaryPostgres('nexus_bench');
  } catch (error: unknown) {
    out(`PostgreSQL not reachable (${error instanceof Error ? error.message : String(error)}): skipping its runs`);
  }
  if (postgres) {
    try {
      rows.push(...(await benchPolicy('policy decide, PostgreSQL', postgres.url)));
    } finally {
      await postgres.drop();
    }
  }

  const limit = new Map(rows.filter((r) => r.target.startsWith('bare')).map((r) => [r.connections, r.requestsPerSecond]));
  out('');
  out(`policy decide vs the bare-Express limit (${SECONDS} s per run, loopback, ${process.platform} ${process.arch})`);
  out('target                        conns     req/s   p50 ms   p99 ms   % of limit   non-2xx');
  for (const r of rows) {
    const share = ((r.requestsPerSecond / (limit.get(r.connections) ?? r.requestsPerSecond)) * 100).toFixed(0);
    out(
      `${r.target.padEnd(29)} ${String(r.connections).padStart(5)} ${String(r.requestsPerSecond).padStart(9)} ${String(r.p50Ms).padStart(8)} ${String(r.p99Ms).padStart(8)} ${`${share}%`.padStart(12)} ${String(r.non2xx + r.errors).padStart(9)}`,
    );
  }
  const dir = resolve(workspaceRoot, 'tmp/bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'decide.json'), `${JSON.stringify({ seconds: SECONDS, rows }, null, 2)}\n`);
  out(`\nfigures written to ${join(dir, 'decide.json')}`);
}

main().catch((error: unknown) => {
  out(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
