import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Express } from 'express';
import type { NexusConfig } from '@nexus/config';
import { createSilentLogger } from '@nexus/service-kit';
import { serveOnDemand, TEST_TOKENS, testCallerDigests, type OnDemandServer } from '@nexus/service-kit/testing';
import type { PolicyStore } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import type { ApprovalAudit } from '../approvals';
import { buildPolicy } from '../build-policy';
import type { PolicyService } from '../policy-service';

/** The gateway's test token: most tests call as the gateway; `authAs` (service-kit) gives any other caller's header. */
export const TEST_TOKEN = TEST_TOKENS.gateway;

export interface PolicyUnderTest extends OnDemandServer {
  app: Express;
  store: PolicyStore;
  policy: PolicyService;
  /** verifies the grants this policy signs */
  grantPublicKey: KeyObject;
}

/** A real policy service (real store, real rules, real HTTP) on a loopback port of its own. */
export async function createPolicyUnderTest(options: {
  config: NexusConfig;
  databaseUrl?: string;
  clock?: () => Date;
  /** the key grants are signed with; a fresh Ed25519 pair by default */
  grantKeys?: { privateKey: KeyObject; publicKey: KeyObject };
  /** a running logger: the policy's alerts go there through its outbox (none when absent) */
  loggerUrl?: string;
  /** where approval events go */
  audit?: ApprovalAudit;
}): Promise<PolicyUnderTest> {
  const grantKeys = options.grantKeys ?? generateKeyPairSync('ed25519');
  const { app, store, policy, close } = await buildPolicy({
    settings: {
      config: options.config,
      grantKey: grantKeys.privateKey,
      callers: testCallerDigests(CALLERS_ACCEPTED_BY.policy),
      store: options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: ':memory:' },
      // tests sweep when they mean to
      housekeepingIntervalMs: false,
      ...(options.loggerUrl ? { audit: { loggerUrl: options.loggerUrl, token: TEST_TOKENS.policy } } : {}),
    },
    logger: createSilentLogger('policy'),
    clock: options.clock,
    ...(options.audit ? { audit: options.audit } : {}),
  });
  return Object.assign(serveOnDemand(app, close), { app, store, policy, grantPublicKey: grantKeys.publicKey });
}
