import { join } from 'node:path';
import { ConfigError, loadConfig } from '@nexus/config';
import { findWorkspaceRoot } from '@nexus/service-kit/testing';
import { checkGatewayTimeouts, loadGatewayEnv } from './gateway-env';
import { PRECHECK_TIMEOUT_MS } from './pipeline/precheck-grant';

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

  it('lets /mcp answer the loopback names and its own listen address by default, or the hosts and origins configured', () => {
    expect(loadGatewayEnv(base).mcpAccess).toEqual({ allowedHosts: ['localhost', '127.0.0.1', '[::1]'], allowedOrigins: [] });
    expect(loadGatewayEnv({ ...base, HOST: 'gw.internal' }).mcpAccess.allowedHosts).toEqual([
      'localhost',
      '127.0.0.1',
      '[::1]',
      'gw.internal',
    ]);
    // a wildcard listen address names no host
    expect(loadGatewayEnv({ ...base, HOST: '0.0.0.0' }).mcpAccess.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(loadGatewayEnv({ ...base, HOST: '::1' }).mcpAccess.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    const configured = loadGatewayEnv({
      ...base,
      MCP_ALLOWED_HOSTS: 'nexus.example, localhost',
      MCP_ALLOWED_ORIGINS: 'http://localhost:6274',
    });
    expect(configured.mcpAccess).toEqual({ allowedHosts: ['nexus.example', 'localhost'], allowedOrigins: ['http://localhost:6274'] });
    expect(loadGatewayEnv({ ...base, MCP_ALLOWED_HOSTS: '*', MCP_ALLOWED_ORIGINS: '*' }).mcpAccess).toEqual({
      allowedHosts: 'any',
      allowedOrigins: 'any',
    });
  });

  it('takes an explorer transaction page with {hash} in it, none by default', () => {
    expect(loadGatewayEnv(base).explorerTxUrl).toBeNull();
    expect(loadGatewayEnv({ ...base, EXPLORER_TX_URL: 'https://sepolia.etherscan.io/tx/{hash}' }).explorerTxUrl).toBe(
      'https://sepolia.etherscan.io/tx/{hash}',
    );
    expect(problemsOf({ ...base, EXPLORER_TX_URL: 'https://sepolia.etherscan.io/tx/' })).toEqual([
      expect.stringMatching(/EXPLORER_TX_URL: must contain \{hash\}/),
    ]);
    expect(problemsOf({ ...base, EXPLORER_TX_URL: 'javascript:alert({hash})' })).toEqual([expect.stringContaining('EXPLORER_TX_URL')]);
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

  describe('timeouts, checked together at start', () => {
    const shipped = join(findWorkspaceRoot(), 'config');
    /** The problems start-up reports for this environment with the shipped configuration. */
    const timeoutProblems = (env: Record<string, string>): string[] => {
      try {
        checkGatewayTimeouts(loadGatewayEnv({ ...base, ...env }), loadConfig({ dir: shipped, env }), PRECHECK_TIMEOUT_MS);
        return [];
      } catch (error: unknown) {
        if (error instanceof ConfigError) return error.problems.map((p) => `${p.source}${p.path ? ` at ${p.path}` : ''}: ${p.message}`);
        throw error;
      }
    };

    it('fit a real chain by default: the payment is waited for longer than its confirmations, all inside the hold', () => {
      const env = loadGatewayEnv(base);
      expect(env).toMatchObject({ payTimeoutMs: 60_000, receiptTimeoutMs: 45_000, providerTimeoutMs: 30_000 });
      expect(timeoutProblems({})).toEqual([]);
    });

    it('refuse a pay timeout shorter than the confirmation wait plus a margin, saying what to set', () => {
      expect(timeoutProblems({ PAYMENT_TIMEOUT_MS: '20000' })).toEqual([
        'environment variable PAYMENT_TIMEOUT_MS: is 20 s: it must be at least PAYMENT_RECEIPT_TIMEOUT_MS (45 s, how long a payment waits for its confirmations) plus 10 s, so at least 55 s',
      ]);
      expect(timeoutProblems({ PAYMENT_TIMEOUT_MS: '30000', PAYMENT_RECEIPT_TIMEOUT_MS: '20000' })).toEqual([]);
      // a mock payment waits for no confirmation
      expect(timeoutProblems({ PAYMENT_TIMEOUT_MS: '20000', PAYMENT_MODE: 'mock' })).toEqual([]);
    });

    it('refuse a hold that expires before the precheck, the payment and the provider are done', () => {
      expect(timeoutProblems({ NEXUS_HOLD_TTL_SECONDS: '60' })).toEqual([
        'policy.yaml (or NEXUS_HOLD_TTL_SECONDS) at policy.holds.ttlSeconds: is 60 s: a hold must outlive the precheck (5 s), the payment (PAYMENT_TIMEOUT_MS, 60 s), the provider (PROVIDER_TIMEOUT_MS, 30 s) and a margin of 10 s, so at least 105 s (or shorten those timeouts)',
      ]);
      expect(timeoutProblems({ PROVIDER_TIMEOUT_MS: '120000' })).toEqual([expect.stringContaining('so at least 195 s')]);
    });
  });
});
