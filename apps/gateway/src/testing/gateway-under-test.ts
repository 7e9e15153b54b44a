import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { loadConfig } from '@nexus/config';
import { createLogger, type Logger } from '@nexus/service-kit';
import { formatAgentApiKeys } from '@nexus/types';
import { loadModelSettings } from '../agents/model-settings';
import { buildGateway, type Gateway } from '../build-gateway';
import { loadGatewayEnv } from '../gateway-env';
import { testKey, type BackingStack } from './backing-stack';

export interface GatewayUnderTest {
  gateway: Gateway;
  http: TestAgent;
  adminKey: string;
  /** agent id → its key */
  agentKeys: Record<string, string>;
  /** `Authorization` header of the admin key, or of an agent's key */
  auth: (who: 'admin' | string) => { Authorization: string };
  close: () => Promise<void>;
}

export interface GatewayUnderTestOptions {
  /** more environment (RATE_LIMIT_MAX, LLM settings, a GATEWAY_DATABASE_URL...) */
  env?: Record<string, string>;
  /** the gateway's own data directory (a fresh one by default) */
  dataDir?: string;
  /** the keys (fresh ones by default): a restarted gateway, or another replica, keeps the first one's */
  keys?: { adminKey: string; agentKeys: Record<string, string> };
  /** its logger (errors only, to the console, by default) */
  logger?: Logger;
}

/**
 * The real gateway, built in-process by the same code as `main.ts` (store,
 * clients, outbox, pipeline, agents, app) over a backing stack of real
 * services; supertest talks to its app. Always close().
 */
export async function createGatewayUnderTest(stack: BackingStack, options: GatewayUnderTestOptions = {}): Promise<GatewayUnderTest> {
  const adminKey = options.keys?.adminKey ?? testKey('admin');
  const agentKeys: Record<string, string> = options.keys?.agentKeys ?? {
    'user-agent': testKey('user'),
    'batch-agent': testKey('batch'),
    'ops-agent': testKey('ops'),
  };
  const env: Record<string, string> = {
    ...stack.gatewayEnv,
    NEXUS_DATA_DIR: options.dataDir ?? mkdtempSync(join(tmpdir(), 'nexus-gateway-')),
    ADMIN_API_KEY: adminKey,
    AGENT_API_KEYS: formatAgentApiKeys(agentKeys),
    LLM_PROVIDER: 'planner',
    // tests send many requests without a key from one address: a test that wants the limit sets it lower
    AUTH_FAILURE_LIMIT_MAX: '1000000',
    ...options.env,
  };
  const { models, chat } = loadModelSettings(env);
  const gateway = await buildGateway({
    env: loadGatewayEnv(env),
    config: loadConfig({ env }),
    logger: options.logger ?? createLogger('gateway', { level: 'error' }),
    chat: { models, settings: chat },
  });
  const keyOf = (who: string) => (who === 'admin' ? adminKey : agentKeys[who]);
  return {
    gateway,
    http: supertest(gateway.app),
    adminKey,
    agentKeys,
    auth: (who) => ({ Authorization: `Bearer ${keyOf(who) ?? 'no-such-key-0000000000'}` }),
    close: () => gateway.close(),
  };
}
