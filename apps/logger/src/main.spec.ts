import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { TEST_TOKENS, authAs, startServiceProcess, testCredentialEnv, runServiceToExit } from '@nexus/service-kit/testing';
import { createTemporaryPostgres } from '@nexus/stores/testing';
import { CALLERS_ACCEPTED_BY, LogEventAck, LoggedEvent } from '@nexus/types';
import { decisionEvent } from './testing/events';

const root = join(__dirname, '../../..');
const entry = ['--import', 'tsx', join(__dirname, 'main.ts')];
const TOKEN = TEST_TOKENS.logger;

const baseEnv = (env: Record<string, string>) => ({
  PATH: process.env['PATH'] ?? '',
  ...testCredentialEnv('logger', CALLERS_ACCEPTED_BY.logger),
  NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'logger-data-')),
  LOGGER_PORT: '0',
  ...env,
});

/** Runs the real entry point (through tsx) to its end and returns what it logged and its exit code. */
function start(env: Record<string, string>) {
  const result = runServiceToExit({ app: 'logger', env: baseEnv(env) });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Starts the real entry point, waits for "ready", stops it with SIGTERM; returns what it logged and how it exited. */
async function startUntilReady(env: Record<string, string>): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, entry, { cwd: root, env: baseEnv(env) });
  let seen = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('logger service ready')) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => (seen += chunk.toString()));
      void exited.then(() => reject(new Error(`exited before ready: ${seen}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
  return { code: await exited, output: seen };
}

const headers = { ...authAs('gateway'), 'Content-Type': 'application/json' };

describe('logger start-up', () => {
  it('refuses to start without LOGGER_TOKEN, naming the variable', () => {
    const { status, output } = start({ LOGGER_TOKEN: '' });
    expect(status).toBe(1);
    expect(output).toContain('logger service failed to start');
    expect(output).toContain('environment variable LOGGER_TOKEN');
  });

  it('refuses a short LOGGER_TOKEN and a database URL that is not PostgreSQL, listing both, never echoing the token', () => {
    const { status, output } = start({ LOGGER_TOKEN: 'short-secret', LOGGER_DATABASE_URL: 'mysql://db/logger' });
    expect(status).toBe(1);
    expect(output).toContain('environment variable LOGGER_TOKEN');
    expect(output).toContain('environment variable LOGGER_DATABASE_URL');
    expect(output).not.toContain('short-secret');
  });

  it('starts on SQLite in the data directory and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'logger-data-'));
    const { output, code } = await startUntilReady({ NEXUS_DATA_DIR: dataDir });
    expect(output).toContain('"store":"sqlite"');
    expect(output).not.toContain(TOKEN);
    expect(existsSync(join(dataDir, 'logger.sqlite'))).toBe(true);
    expect(code).toBe(0);
  });

  it('starts on PostgreSQL from LOGGER_DATABASE_URL, which wins over DATABASE_URL', async () => {
    const postgres = await createTemporaryPostgres('nexus_logger_main');
    try {
      const { output } = await startUntilReady({ LOGGER_DATABASE_URL: postgres.url, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
      expect(output).toContain('"store":"postgres"');
    } finally {
      await postgres.drop();
    }
  });

  it('keeps stored events across a restart, and refuses a second instance on the same SQLite file', async () => {
    const env = { ...testCredentialEnv('logger', CALLERS_ACCEPTED_BY.logger), NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'logger-data-')) };
    const first = await startServiceProcess({ app: 'logger', port: await freePort(), env });
    try {
      const posted = await fetch(`${first.url}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ events: [decisionEvent('kept-1')] }),
      });
      expect(posted.status).toBe(201);
      expect(LogEventAck.parse(await posted.json())).toEqual({ accepted: 1, duplicates: 0 });

      const second = start({ ...env, LOGGER_PORT: '0' });
      expect(second.status).toBe(1);
      expect(second.output).toContain('is in use by another process');
    } finally {
      await first.stop();
    }

    const restarted = await startServiceProcess({ app: 'logger', port: await freePort(), env });
    try {
      const read = await fetch(`${restarted.url}/events/kept-1`, { headers });
      expect(read.status).toBe(200);
      expect(LoggedEvent.parse(await read.json())).toMatchObject({ id: 'kept-1', kind: 'decision', amount: '0.05' });
    } finally {
      await restarted.stop();
    }
  });
});
