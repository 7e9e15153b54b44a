import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { freePort } from '@nexus/chain/testing';
import { GatewayClient } from '@nexus/clients';
import { launchStack } from '@nexus/service-kit/testing';
import { parseAgentApiKeys, StackRunFile } from '@nexus/types';
import { runFilePath } from '../stack/run-file';
import { STACK } from '../stack/stack-services';
import type { Watched } from './cpu-usage';
import { stackProcessTree } from './process-tree';

/** Budgets and limits no bench run can exhaust: every paid call takes the whole path. */
const UNLIMITED_BUDGET = '900000000.00';
const UNLIMITED_TREASURY = '900000000000.00';

export interface BenchStackOptions {
  mode: 'mock' | 'chain';
  /** NODE_OPTIONS of every process of the stack (e.g. --cpu-prof) */
  nodeOptions?: string;
  /** more variables for every process of the stack */
  extraEnv?: Record<string, string>;
}

export interface BenchStack {
  mode: 'mock' | 'chain';
  gatewayUrl: string;
  /** the URL of a service of the stack, by project */
  url(project: string): string;
  /** headers of the user-agent's key */
  agentHeaders: Record<string, string>;
  /** the services' process ids as `npm start` wrote them (data/run/stack.json) */
  services(): { project: string; pid: number }[];
  /** every process of the `npm start` tree, each once: the launcher, the services and, in chain mode, the Hardhat node (`chain`) */
  busyProcesses(): Watched[];
  /** POST /reset (admin): a new budget period, so no run inherits the previous one's spend and holds */
  reset(): Promise<void>;
  /** Ctrl-C: the launcher stops every service (and the chain) */
  stop(): Promise<void>;
}

/**
 * Runs `npm start --skip-build` (tools/stack/start.ts) as a user does, over
 * a fresh directory (its env file written by the launcher with fresh keys,
 * its data directory) with free ports for every service and the chain,
 * logging at `warn` (not one line per request), a rate limit and budgets no
 * run reaches. Resolves once the stack says it is up.
 */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), `nexus-bench-${options.mode}-`));
  const envFile = join(dir, '.env');
  const dataDir = join(dir, 'data');
  const settings: Record<string, string> = {
    NEXUS_ENV_FILE: envFile,
    NEXUS_DATA_DIR: dataDir,
    PAYMENT_MODE: options.mode,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000000',
    // the direct, unpaid provider call is measured too, and the gateway's prechecks count as free work
    PROVIDER_FREE_RATE_LIMIT_MAX: '100000000',
    NEXUS_TREASURY_DAILY_LIMIT: UNLIMITED_TREASURY,
    ...(options.mode === 'chain' ? { CHAIN_RPC_URL: `http://127.0.0.1:${await freePort()}` } : {}),
    ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
    ...options.extraEnv,
  };
  const urls: Record<string, string> = {};
  for (const service of STACK) {
    const port = await freePort();
    settings[service.portEnv] = String(port);
    urls[service.project] = `http://127.0.0.1:${port}`;
  }
  const launcher = await launchStack({ env: settings, logFile: join(dir, 'launcher.log'), timeoutMs: 180_000 }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const stop = async () => {
    await launcher.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  const fileEnv = parseEnv(readFileSync(envFile, 'utf8'));
  const adminKey = fileEnv['ADMIN_API_KEY'] ?? '';
  const agentKey = parseAgentApiKeys(fileEnv['AGENT_API_KEYS'] ?? '').keys.get('user-agent');
  const url = (project: string) => {
    const found = urls[project];
    if (!found) throw new Error(`the stack runs no ${project}`);
    return found;
  };
  const gatewayUrl = url('gateway');
  const gateway = new GatewayClient(gatewayUrl);
  try {
    if (!agentKey) throw new Error(`${envFile} holds no key for user-agent`);
    await gateway.setBudget(adminKey, 'user-agent', { dailyBudget: UNLIMITED_BUDGET });
  } catch (error) {
    await stop();
    throw error;
  }
  const services = () =>
    StackRunFile.parse(JSON.parse(readFileSync(runFilePath(dataDir), 'utf8'))).services.flatMap(({ project, pid }) =>
      pid === null ? [] : [{ project, pid }],
    );
  return {
    mode: options.mode,
    gatewayUrl,
    url,
    agentHeaders: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' },
    services,
    busyProcesses: () => (launcher.pid === undefined ? services() : stackProcessTree(launcher.pid, services())),
    reset: async () => {
      await gateway.reset(adminKey);
    },
    stop,
  };
}
