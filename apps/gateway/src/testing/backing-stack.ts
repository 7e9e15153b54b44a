import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { PaymentClient, PolicyClient, LoggerClient } from '@nexus/clients';
import { serviceEnvName } from '@nexus/config';
import { startTestPaymentNetwork, type TestPaymentNetwork } from '@nexus/provider-kit/testing';
import { TEST_TOKENS, findWorkspaceRoot, startServiceProcess, testCredentialEnv, type ServiceProcess } from '@nexus/service-kit/testing';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';

/** The providers this repository ships: Nx app → service id. */
export const PROVIDER_APPS = {
  'image-gen': 'IMAGE_GEN',
  'price-oracle': 'PRICE_ORACLE',
  'batch-compute': 'BATCH_COMPUTE',
  'log-archive': 'LOG_ARCHIVE',
} as const;
export type ProviderApp = keyof typeof PROVIDER_APPS;
export type BackingService = 'policy' | 'logger' | ProviderApp;

export interface BackingStackOptions {
  /** agents.yaml, services.yaml and policy.yaml; the repository's config/ by default */
  configDir?: string;
  /** a base environment every service gets (e.g. NEXUS_TREASURY_DAILY_LIMIT) */
  env?: Record<string, string>;
  /** mock payments (the default), or real ones on a fresh Hardhat node with the contracts deployed */
  mode?: 'mock' | 'chain';
}

export interface BackingStack {
  /** what the gateway needs in its environment to reach this stack (URLs, GATEWAY_TOKEN, config dir, provider URL overrides) */
  gatewayEnv: Record<string, string>;
  network: TestPaymentNetwork;
  policy: PolicyClient;
  payments: PaymentClient;
  logs: LoggerClient;
  /** the running service, by name (payment: `network.payment`) */
  process: (name: BackingService) => ServiceProcess;
  /** SIGTERM a service and wait for it to exit (it keeps its port and data for `start`) */
  stop: (name: BackingService) => Promise<void>;
  /** SIGKILL: a crash */
  kill: (name: BackingService) => Promise<void>;
  /** starts a stopped service again, on the same port and data */
  start: (name: BackingService) => Promise<void>;
  stopAll: () => Promise<void>;
}

/**
 * The services behind the gateway as real processes over real HTTP: policy,
 * payment (mock mode, or chain mode over a local node), logger and the four
 * providers, each with its own SQLite store in a fresh directory. Always stopAll().
 */
export async function startBackingStack(options: BackingStackOptions = {}): Promise<BackingStack> {
  const root = findWorkspaceRoot();
  const configDir = options.configDir ?? join(root, 'config');
  const dataDir = mkdtempSync(join(tmpdir(), 'nexus-gateway-stack-'));
  const network = await startTestPaymentNetwork(options.mode ?? 'mock', { paymentHoldsPayeeKeys: true });
  const names: BackingService[] = ['policy', 'logger', ...(Object.keys(PROVIDER_APPS) as ProviderApp[])];
  const ports = new Map<BackingService, number>();
  for (const name of names) ports.set(name, await freePort());
  const url = (name: BackingService) => `http://127.0.0.1:${ports.get(name)}`;
  const providerUrls = Object.fromEntries(
    Object.entries(PROVIDER_APPS).map(([app, serviceId]) => [serviceEnvName(serviceId, 'URL'), url(app as ProviderApp)]),
  );
  const shared = { ...options.env, NEXUS_CONFIG_DIR: configDir, ...providerUrls };
  const envOf = (name: BackingService): Record<string, string> => ({
    ...shared,
    ...(name === 'policy' || name === 'logger' ? testCredentialEnv(name, CALLERS_ACCEPTED_BY[name]) : network.providerEnv),
    // the policy signs grants with the key the network's payment service trusts, and sends its audit events to this logger
    ...(name === 'policy' ? { ...network.grants.policyEnv, LOGGER_URL: url('logger') } : {}),
    NEXUS_DATA_DIR: join(dataDir, name),
    ...(name === 'price-oracle' ? { PRICE_FEED_FILE: join(root, 'config', 'prices.yaml') } : {}),
  });
  const running = new Map<BackingService, ServiceProcess>();
  const start = async (name: BackingService) => {
    running.set(name, await startServiceProcess({ app: name, port: ports.get(name) ?? 0, env: envOf(name) }));
  };
  try {
    await Promise.all(names.map(start));
  } catch (error) {
    await Promise.all([...running.values()].map((service) => service.stop()));
    await network.stop();
    throw error;
  }
  const serviceOf = (name: BackingService) => {
    const service = running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return service;
  };
  // The tests call the services as the gateway would.
  const client = { token: TEST_TOKENS.gateway, timeoutMs: 5_000 };
  return {
    gatewayEnv: {
      ...shared,
      ...testCredentialEnv('gateway'),
      // the gateway waits for a chain payment's confirmations as long as the payment service does
      ...pick(network.providerEnv, ['PAYMENT_MODE', 'PAYMENT_RECEIPT_TIMEOUT_MS']),
      POLICY_URL: url('policy'),
      PAYMENT_URL: network.payment.url,
      LOGGER_URL: url('logger'),
    },
    network,
    policy: new PolicyClient({ baseUrl: url('policy'), ...client }),
    payments: network.payments,
    logs: new LoggerClient({ baseUrl: url('logger'), ...client }),
    process: serviceOf,
    stop: async (name) => {
      await serviceOf(name).stop();
    },
    kill: async (name) => {
      await serviceOf(name).kill();
    },
    start,
    stopAll: async () => {
      await Promise.all([...running.values()].map((service) => service.stop()));
      await network.stop();
    },
  };
}

const pick = (env: Record<string, string>, names: readonly string[]) =>
  Object.fromEntries(names.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));

/** A fresh random key of the length the gateway asks for. */
export const testKey = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
