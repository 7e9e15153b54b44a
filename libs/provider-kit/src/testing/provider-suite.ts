import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import type { ProviderBuilder } from '../provider-definition';
import { createProviderUnderTest, type ProviderTestOptions, type ProviderUnderTest } from './provider-under-test';
import { startTestPaymentNetwork, type TestPaymentNetwork } from './test-payment-network';

export interface ProviderSuiteOptions extends Pick<ProviderTestOptions, 'serviceId' | 'mode' | 'networkOptions' | 'env'> {
  /** the provider's store on a throw-away PostgreSQL database of this name prefix (dropped after the provider closes) */
  postgres?: string;
  /** how long the start may take (chain mode wants more); jest's default otherwise */
  timeoutMs?: number;
}

/** The provider of a describe block, as it stands (after a restart, the new one): use it inside tests and hooks. */
export interface ProviderSuite extends ProviderUnderTest {
  /** closes the provider and builds it again on the same network and data directory */
  restart: () => Promise<void>;
}

/**
 * One provider under test for a whole describe block: registers the
 * `beforeAll` that starts a payment network (and a database) and the
 * provider on it, and the `afterAll` that stops them all.
 */
export function useProviderUnderTest(build: ProviderBuilder, options: ProviderSuiteOptions): ProviderSuite {
  const { serviceId, mode, networkOptions, env, postgres: databasePrefix, timeoutMs } = options;
  let network: TestPaymentNetwork | undefined;
  let postgres: TemporaryPostgres | undefined;
  let provider: ProviderUnderTest | undefined;
  const current = (): ProviderUnderTest => {
    if (!provider) throw new Error(`${serviceId} is not started: use it inside a test or hook`);
    return provider;
  };
  const create = (dataDir?: string) => createProviderUnderTest(build, { serviceId, env, dataDir, network, databaseUrl: postgres?.url });

  beforeAll(async () => {
    network = await startTestPaymentNetwork(mode ?? 'mock', networkOptions);
    if (databasePrefix) postgres = await createTemporaryPostgres(databasePrefix);
    provider = await create();
  }, timeoutMs);
  afterAll(async () => {
    await provider?.close();
    await postgres?.drop();
    await network?.stop();
  });

  return {
    get app() {
      return current().app;
    },
    get quote() {
      return current().quote;
    },
    get runtime() {
      return current().runtime;
    },
    get paywall() {
      return current().paywall;
    },
    get redemptions() {
      return current().redemptions;
    },
    get network() {
      return current().network;
    },
    get dataDir() {
      return current().dataDir;
    },
    syncRefunds: () => current().syncRefunds(),
    pay: (payOptions) => current().pay(payOptions),
    invoke: (body, headers) => current().invoke(body, headers),
    close: () => current().close(),
    restart: async () => {
      const previous = current();
      await previous.close();
      provider = await create(previous.dataDir);
    },
  };
}
