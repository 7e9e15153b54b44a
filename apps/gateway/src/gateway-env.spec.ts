import { ConfigError } from '@nexus/config';
import { loadGatewayEnv } from './gateway-env';

const ADMIN = 'admin-key-0123456789abcdef';
const base = { GATEWAY_TOKEN: 'gateway-token-0123456789', ADMIN_API_KEY: ADMIN };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadGatewayEnv(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.source}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the gateway environment', () => {
  it('has working defaults for everything but the secrets', () => {
    const env = loadGatewayEnv(base);
    expect(env).toMatchObject({
      port: 8000,
      policyUrl: 'http://127.0.0.1:8005',
      paymentUrl: 'http://127.0.0.1:8006',
      loggerUrl: 'http://127.0.0.1:8007',
      rateLimit: { max: 600, windowMs: 60_000 },
      corsOrigins: [],
      bodyLimit: '100kb',
      idempotencyLeaseMs: 300_000,
    });
    expect(env.agentApiKeys.size).toBe(0);
  });

  it('reads one key per agent and the CORS origins', () => {
    const env = loadGatewayEnv({
      ...base,
      AGENT_API_KEYS: ' user-agent:user-key-0123456789abcd , batch-agent:batch-key-0123456789abcd',
      CORS_ORIGINS: 'http://a.test, http://b.test',
    });
    expect(Object.fromEntries(env.agentApiKeys)).toEqual({
      'user-agent': 'user-key-0123456789abcd',
      'batch-agent': 'batch-key-0123456789abcd',
    });
    expect(env.corsOrigins).toEqual(['http://a.test', 'http://b.test']);
  });

  it('refuses to start without an admin key', () => {
    expect(problemsOf({ GATEWAY_TOKEN: base.GATEWAY_TOKEN })).toEqual([expect.stringContaining('ADMIN_API_KEY: is required')]);
  });

  it('lists every bad agent key without ever printing a key', () => {
    const problems = problemsOf({
      ...base,
      AGENT_API_KEYS: `user-agent:short,no-colon-here,ops-agent:${ADMIN},user-agent:another-key-0123456789`,
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/user-agent must be at least 16/);
    expect(problems.join('\n')).toMatch(/is not "agent-id:key"/);
    expect(problems.join('\n')).toMatch(/ops-agent is used twice \(or is the admin key\)/);
    for (const problem of problems) {
      expect(problem).not.toContain(ADMIN);
      expect(problem).not.toContain('short');
    }
  });

  it('refuses a bad URL, limit or body size, naming each variable', () => {
    const problems = problemsOf({ ...base, POLICY_URL: 'ftp://x', RATE_LIMIT_MAX: '0', GATEWAY_BODY_LIMIT: 'lots' });
    expect(problems).toEqual([
      expect.stringContaining('POLICY_URL'),
      expect.stringContaining('RATE_LIMIT_MAX'),
      expect.stringContaining('GATEWAY_BODY_LIMIT'),
    ]);
  });
});
