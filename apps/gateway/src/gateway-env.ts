import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, checkTimeoutBudget, loadChainEnv, loadServiceEnv, type NexusConfig, type ServiceEnv } from '@nexus/config';
import { parseAgentApiKeys } from '@nexus/types';

export interface GatewayEnv extends ServiceEnv {
  policyUrl: string;
  paymentUrl: string;
  loggerUrl: string;
  /** the admin key: every change (budgets, pause, reset) and every agent */
  adminApiKey: string;
  /** agent id → its key: an agent key acts as that agent only */
  agentApiKeys: Map<string, string>;
  rateLimit: { max: number; windowMs: number };
  /** failed authentications per address and window before it gets 429 */
  authFailureLimit: { max: number; windowMs: number };
  /** origins allowed by CORS; empty: no CORS headers at all; ['*']: any */
  corsOrigins: string[];
  bodyLimit: string;
  /** per attempt, for the internal services */
  upstreamTimeoutMs: number;
  /** per attempt, for POST /payments: it answers once the payment is confirmed (PAYMENT_RECEIPT_TIMEOUT_MS in chain mode) */
  payTimeoutMs: number;
  /** the payment service's wait for confirmations, from the shared chain settings; null in mock mode */
  receiptTimeoutMs: number | null;
  /** for a provider's paid work */
  providerTimeoutMs: number;
  /** how long an in-flight Idempotency-Key is held before a retry may take it over (a crashed attempt) */
  idempotencyLeaseMs: number;
  /** how long the answer to an Idempotency-Key is kept */
  idempotencyRetentionMs: number;
  /** the Host and Origin checks of `POST /mcp` (DNS rebinding protection) */
  mcpAccess: McpAccess;
  /** the built operator's console (DASHBOARD_DIR, default dist/apps/dashboard of the working directory) */
  dashboardDir: string;
  /** a block explorer's transaction page, `{hash}` where the hash goes (EXPLORER_TX_URL); null when unset */
  explorerTxUrl: string | null;
}

/**
 * Who may reach `/mcp`, by the request's own headers: the host names its
 * `Host` may name (any port), and the origins a browser's `Origin` may be
 * (none by default: MCP clients are not web pages). `any` turns a check off.
 */
export interface McpAccess {
  allowedHosts: readonly string[] | 'any';
  allowedOrigins: readonly string[] | 'any';
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/** A comma list of the environment; `*` alone is any. */
const listOrAny = (value: string): string[] | 'any' => {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.includes('*') ? 'any' : items;
};

/**
 * The host names `/mcp` answers to: MCP_ALLOWED_HOSTS, else the loopback
 * names and the address the gateway listens on (a wildcard address names no
 * host, so it adds nothing), as the MCP SDK recommends for a local server.
 */
function mcpAllowedHosts(given: string | undefined, listenHost: string): string[] | 'any' {
  if (given !== undefined) return listOrAny(given);
  const own = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  return [...new Set([...LOOPBACK_NAMES, ...(WILDCARD_HOSTS.has(own) ? [] : [own.toLowerCase()])])];
}

const Url = z.url({ protocol: /^https?$/ });
const Key = z.string().min(16, 'must be at least 16 characters (`npm start` generates keys in .env)');

const Schema = z.object({
  POLICY_URL: Url.default('http://127.0.0.1:8005'),
  PAYMENT_URL: Url.default('http://127.0.0.1:8006'),
  LOGGER_URL: Url.default('http://127.0.0.1:8007'),
  ADMIN_API_KEY: z.string({ error: 'is required (`npm start` generates one in .env)' }).pipe(Key),
  AGENT_API_KEYS: z.string().default(''),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  AUTH_FAILURE_LIMIT_MAX: z.coerce.number().int().min(1).default(30),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  CORS_ORIGINS: z.string().default(''),
  GATEWAY_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as "100kb" or "1mb"')
    .default('100kb'),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  IDEMPOTENCY_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
  MCP_ALLOWED_HOSTS: z.string().optional(),
  MCP_ALLOWED_ORIGINS: z.string().default(''),
  DASHBOARD_DIR: z.string().default('dist/apps/dashboard'),
  EXPLORER_TX_URL: Url.refine((url) => url.includes('{hash}'), 'must contain {hash} where the transaction hash goes').optional(),
});

/** The gateway's environment, validated: a bad value fails start-up listing every problem (and never a secret). */
export function loadGatewayEnv(env: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const service = loadServiceEnv('gateway', 8000, env);
  const chain = loadChainEnv(service.dataDir, env);
  const raw = Object.fromEntries(Object.keys(Schema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const result = Schema.safeParse(raw);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => ({ source: `environment variable ${String(issue.path[0])}`, path: '', message: issue.message }));
  if (!result.success) throw new ConfigError(problems);
  const values = result.data;
  const agentKeys = parseAgentApiKeys(values.AGENT_API_KEYS, { reservedKeys: [values.ADMIN_API_KEY] });
  if (agentKeys.problems.length > 0)
    throw new ConfigError(agentKeys.problems.map((message) => ({ source: 'environment variable AGENT_API_KEYS', path: '', message })));
  return {
    ...service,
    policyUrl: values.POLICY_URL,
    paymentUrl: values.PAYMENT_URL,
    loggerUrl: values.LOGGER_URL,
    adminApiKey: values.ADMIN_API_KEY,
    agentApiKeys: agentKeys.keys,
    rateLimit: { max: values.RATE_LIMIT_MAX, windowMs: values.RATE_LIMIT_WINDOW_SECONDS * 1_000 },
    authFailureLimit: { max: values.AUTH_FAILURE_LIMIT_MAX, windowMs: values.AUTH_FAILURE_WINDOW_SECONDS * 1_000 },
    corsOrigins: values.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    bodyLimit: values.GATEWAY_BODY_LIMIT.toLowerCase(),
    upstreamTimeoutMs: values.UPSTREAM_TIMEOUT_MS,
    payTimeoutMs: values.PAYMENT_TIMEOUT_MS,
    receiptTimeoutMs: chain.mode === 'chain' ? chain.receiptTimeoutMs : null,
    providerTimeoutMs: values.PROVIDER_TIMEOUT_MS,
    idempotencyLeaseMs: values.IDEMPOTENCY_LEASE_SECONDS * 1_000,
    idempotencyRetentionMs: values.IDEMPOTENCY_RETENTION_HOURS * 3_600_000,
    dashboardDir: resolve(values.DASHBOARD_DIR),
    mcpAccess: {
      allowedHosts: mcpAllowedHosts(values.MCP_ALLOWED_HOSTS, service.host),
      allowedOrigins: listOrAny(values.MCP_ALLOWED_ORIGINS),
    },
    explorerTxUrl: values.EXPLORER_TX_URL ?? null,
  };
}

/**
 * Start-up check that the gateway's waits nest inside a hold (policy.yaml
 * `holds.ttlSeconds`) and that a payment is waited for longer than its
 * confirmations take; a ConfigError says which to change.
 */
export function checkGatewayTimeouts(env: GatewayEnv, config: Pick<NexusConfig, 'policy'>, precheckTimeoutMs: number): void {
  checkTimeoutBudget({
    holdTtlSeconds: config.policy.holds.ttlSeconds,
    precheckTimeoutMs,
    payTimeoutMs: env.payTimeoutMs,
    receiptTimeoutMs: env.receiptTimeoutMs,
    providerTimeoutMs: env.providerTimeoutMs,
  });
}
