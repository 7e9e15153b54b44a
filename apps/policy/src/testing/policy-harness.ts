import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import type { NexusConfig } from '@nexus/config';
import { createSilentLogger, listenOnLoopback, TEST_TOKENS, testCallerDigests, type LoopbackServer } from '@nexus/service-kit';
import { createPolicyStore, openDatabase, type PolicyStore, type PolicyTables } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from '../app';
import { buildCatalog } from '../catalog';
import { periodBounds } from '../period';
import { createPolicyMetrics } from '../policy-metrics';
import { PolicyService } from '../policy-service';

/** The gateway's test token: most tests call as the gateway; `authAs` (service-kit) gives any other caller's header. */
export const TEST_TOKEN = TEST_TOKENS.gateway;

export interface PolicyUnderTest {
  app: Express;
  store: PolicyStore;
  policy: PolicyService;
  /** verifies the grants this policy signs */
  grantPublicKey: KeyObject;
  /** Base URL once `listen` has been called. */
  url: string;
  listen: () => Promise<string>;
  close: () => Promise<void>;
}

/** A real policy service (real store, real rules, real HTTP) on a loopback port of its own. */
export async function createPolicyUnderTest(options: {
  config: NexusConfig;
  databaseUrl?: string;
  clock?: () => Date;
  /** the key grants are signed with; a fresh Ed25519 pair by default */
  grantKeys?: { privateKey: KeyObject; publicKey: KeyObject };
}): Promise<PolicyUnderTest> {
  const grantKeys = options.grantKeys ?? generateKeyPairSync('ed25519');
  const now = options.clock ?? (() => new Date());
  const database = openDatabase<PolicyTables>(options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: ':memory:' });
  const store = await createPolicyStore(database, periodBounds(options.config.policy.period), now());
  const registry = new Registry();
  const policy = new PolicyService({
    store,
    catalog: buildCatalog(options.config),
    clock: now,
    metrics: createPolicyMetrics(registry),
    grantKey: grantKeys.privateKey,
  });
  const app = createApp({
    policy,
    store,
    registry,
    logger: createSilentLogger('policy'),
    callers: testCallerDigests(CALLERS_ACCEPTED_BY.policy),
  });
  let server: LoopbackServer | undefined;
  const harness: PolicyUnderTest = {
    app,
    store,
    policy,
    grantPublicKey: grantKeys.publicKey,
    url: '',
    listen: async () => {
      server = await listenOnLoopback(app);
      harness.url = server.url;
      return harness.url;
    },
    close: async () => {
      await server?.close();
      await store.close();
    },
  };
  return harness;
}
