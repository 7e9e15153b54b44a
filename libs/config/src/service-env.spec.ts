import { isAbsolute, resolve } from 'node:path';
import { loadServiceEnv } from './service-env';
import { problemsOf } from './testing/config-error-of';

const TOKEN = 'a-long-enough-service-secret';
const GATEWAY_DIGEST = 'ab'.repeat(32);

describe('loadServiceEnv', () => {
  it('falls back to loopback, the default port and ./data when only the token is set', () => {
    const env = loadServiceEnv('policy', 3101, { POLICY_TOKEN: TOKEN });

    expect(env).toEqual({
      host: '127.0.0.1',
      port: 3101,
      serviceToken: TOKEN,
      callers: new Map(),
      databaseUrl: undefined,
      dataDir: resolve('data'),
    });
    expect(isAbsolute(env.dataDir)).toBe(true);
  });

  it('reads host, the service port and the data directory from the environment', () => {
    const env = loadServiceEnv('audit-log', 3102, {
      AUDIT_LOG_TOKEN: TOKEN,
      HOST: '0.0.0.0',
      AUDIT_LOG_PORT: '4102',
      NEXUS_DATA_DIR: '/var/lib/nexus',
    });

    expect(env).toMatchObject({ host: '0.0.0.0', port: 4102, dataDir: '/var/lib/nexus' });
  });

  it('treats empty variables as unset', () => {
    const env = loadServiceEnv('policy', 3101, { POLICY_TOKEN: TOKEN, POLICY_PORT: '', DATABASE_URL: '', HOST: '' });

    expect(env).toMatchObject({ host: '127.0.0.1', port: 3101, databaseUrl: undefined });
  });

  it("refuses to start without the service's own token, naming the variable", () => {
    const problems = problemsOf(() => loadServiceEnv('image-gen', 3101, { POLICY_TOKEN: TOKEN, INTERNAL_TOKEN: TOKEN }));

    expect(problems).toEqual([
      { source: 'environment variable IMAGE_GEN_TOKEN', path: '', message: expect.stringContaining('is required') },
    ]);
  });

  it('refuses a token shorter than 16 characters', () => {
    const problems = problemsOf(() => loadServiceEnv('policy', 3101, { POLICY_TOKEN: 'short-secret' }));

    expect(problems).toEqual([{ source: 'environment variable POLICY_TOKEN', path: '', message: 'must be at least 16 characters' }]);
  });

  it('reads the token hash of each caller it accepts, and nothing of the callers it does not', () => {
    const env = loadServiceEnv(
      'policy',
      3101,
      { POLICY_TOKEN: TOKEN, GATEWAY_TOKEN_SHA256: GATEWAY_DIGEST.toUpperCase(), IMAGE_GEN_TOKEN_SHA256: 'cd'.repeat(32) },
      { accepts: ['gateway'] },
    );

    expect(env.callers).toEqual(new Map([['gateway', GATEWAY_DIGEST]]));
  });

  it('refuses to start without the hash of a caller it accepts, or with one that is not a sha256', () => {
    const problems = problemsOf(() =>
      loadServiceEnv(
        'policy',
        3101,
        { POLICY_TOKEN: TOKEN, GATEWAY_TOKEN: TOKEN, OPERATOR_TOKEN_SHA256: 'xyz' },
        { accepts: ['gateway', 'operator'] },
      ),
    );

    expect(problems).toEqual([
      { source: 'environment variable GATEWAY_TOKEN_SHA256', path: '', message: expect.stringContaining('is required') },
      { source: 'environment variable OPERATOR_TOKEN_SHA256', path: '', message: 'must be a sha256 in hex (64 characters)' },
    ]);
  });

  it('prefers <SERVICE>_DATABASE_URL over the shared DATABASE_URL', () => {
    const env = loadServiceEnv('audit-log', 3102, {
      AUDIT_LOG_TOKEN: TOKEN,
      DATABASE_URL: 'postgres://shared@127.0.0.1/nexus',
      AUDIT_LOG_DATABASE_URL: 'postgresql://audit@127.0.0.1/audit',
    });

    expect(env.databaseUrl).toBe('postgresql://audit@127.0.0.1/audit');
  });

  it('uses the shared DATABASE_URL when the service has none of its own', () => {
    const env = loadServiceEnv('policy', 3101, {
      POLICY_TOKEN: TOKEN,
      DATABASE_URL: 'postgres://shared@127.0.0.1/nexus',
      AUDIT_LOG_DATABASE_URL: 'postgresql://audit@127.0.0.1/audit',
    });

    expect(env.databaseUrl).toBe('postgres://shared@127.0.0.1/nexus');
  });

  it('refuses a database URL that is not PostgreSQL, naming the variable it came from', () => {
    expect(problemsOf(() => loadServiceEnv('policy', 3101, { POLICY_TOKEN: TOKEN, DATABASE_URL: 'mysql://x@127.0.0.1/db' }))).toEqual([
      { source: 'environment variable DATABASE_URL', path: '', message: 'must be a postgres:// URL' },
    ]);
    expect(problemsOf(() => loadServiceEnv('policy', 3101, { POLICY_TOKEN: TOKEN, POLICY_DATABASE_URL: 'sqlite:///tmp/x.db' }))).toEqual([
      { source: 'environment variable POLICY_DATABASE_URL', path: '', message: 'must be a postgres:// URL' },
    ]);
  });

  it.each(['http', '70000', '-1', '80.5'])('refuses the port %j', (port) => {
    const problems = problemsOf(() => loadServiceEnv('policy', 3101, { POLICY_TOKEN: TOKEN, POLICY_PORT: port }));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.source).toBe('environment variable POLICY_PORT');
  });

  it('lists every bad variable at once', () => {
    const problems = problemsOf(() => loadServiceEnv('policy', 3101, { POLICY_PORT: 'eighty', DATABASE_URL: 'redis://127.0.0.1' }));

    expect(problems.map((p) => p.source).sort()).toEqual([
      'environment variable DATABASE_URL',
      'environment variable POLICY_PORT',
      'environment variable POLICY_TOKEN',
    ]);
  });
});
