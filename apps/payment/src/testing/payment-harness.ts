import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { localAccount, writeDeployment, type Deployment } from '@nexus/chain';
import { TestGrantIssuer, TestReceiptKeys } from '@nexus/clients/testing';
import { loadChainEnv, loadConfig, type ServiceConfig, type X402ServiceConfig } from '@nexus/config';
import { createSilentLogger } from '@nexus/service-kit';
import { authAs, findWorkspaceRoot, TEST_TOKENS, testCallerDigests } from '@nexus/service-kit/testing';
import type { PaymentStore } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY, PROVIDER_CALLERS, providerServiceId } from '@nexus/types';
import { buildPayment, type BuildPaymentOptions } from '../build-payment';
import { loadSettlementEnv, type SettlementEnv } from '../chain/settlement-env';
import type { PaymentService, PaymentServiceDeps } from '../payment-service';
import type { Settler } from '../settler';
import type { X402Payments } from '../x402/x402-payments';

/** The gateway's test token: most tests call as the gateway; `authAs` (service-kit) gives any other caller's header. */
export const TEST_TOKEN = TEST_TOKENS.gateway;
export const auth = authAs('gateway');

/** The header of the provider of `serviceId` (the only caller that may verify its payments); image-gen's for an unknown id. */
export const providerAuth = (serviceId: unknown) =>
  authAs(PROVIDER_CALLERS.find((caller) => providerServiceId(caller) === serviceId) ?? 'image-gen');

export interface PaymentUnderTest {
  app: Express;
  store: PaymentStore;
  service: PaymentService;
  settler: Settler;
  /** the policy's keys as this payment service trusts them: `grants.issue(...)` signs a grant it accepts */
  grants: TestGrantIssuer;
  /** the receipt keys it signs mock payments' receipts with */
  receipts: TestReceiptKeys;
  /** the lease the service takes on a payment it settles */
  leaseMs: number;
  /** chain mode: our agents' payments to x402 services (its chain reads resolve them in a test's pending driver) */
  x402Payments: X402Payments | undefined;
  close: () => Promise<void>;
}

export interface PaymentHarnessOptions {
  /** chain mode against this deployment (its rpcUrl may point at a proxy); mock mode when absent */
  deployment?: Deployment;
  rpcUrl?: string;
  /** let the service sign refunds for Hardhat payees #1–#4 */
  payeeKeys?: boolean;
  databaseUrl?: string;
  /** the SQLite file of the ledger (a restart opens the same one); a fresh one by default */
  sqlitePath?: string;
  receiptTimeoutMs?: number;
  /** the payment service's own services.yaml entries; the repository's config/ by default */
  services?: readonly Pick<ServiceConfig, 'id' | 'payee'>[];
  /** the payment service's x402 services (`kind: x402`): each paid only to its `payTo` */
  x402Services?: readonly Pick<X402ServiceConfig, 'id' | 'payTo'>[];
  /** where the holds of x402-out payments are pinned, committed and released (see X402PaymentsDeps) */
  x402Reports?: BuildPaymentOptions['x402Reports'];
  /** where the service tells the ends of payments settled in the request (see PaymentServiceDeps) */
  reports?: PaymentServiceDeps['reports'];
  /** where settled x402 payments' events go (the service has no audit outbox of its own in a test) */
  audit?: BuildPaymentOptions['audit'];
  /** the policy's keys this service trusts; a fresh pair by default */
  grants?: TestGrantIssuer;
  /** the local node's journal (CHAIN_JOURNAL_FILE, as npm start sets it): SUCCESS waits for the block to be in it */
  journalFile?: string;
  /** chain mode: PAYMENT_SETTLEMENT (batch by default, as in production) */
  settlement?: SettlementEnv['mode'];
}

/** A real payment service (real store, real settler built from the environment the way main.ts does) for supertest. */
export async function createPaymentUnderTest(options: PaymentHarnessOptions = {}): Promise<PaymentUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nexus-payment-'));
  const env: NodeJS.ProcessEnv = {
    PAYMENT_MODE: options.deployment ? 'chain' : 'mock',
    CHAIN_RPC_ATTEMPTS: '3',
    CHAIN_RPC_BACKOFF_MS: '20',
    PAYMENT_RECEIPT_TIMEOUT_MS: String(options.receiptTimeoutMs ?? 3_000),
    TREASURY_PRIVATE_KEY: localAccount(0).privateKey,
    ...(options.journalFile ? { CHAIN_JOURNAL_FILE: options.journalFile } : {}),
    ...(options.settlement ? { PAYMENT_SETTLEMENT: options.settlement } : {}),
    ...(options.payeeKeys ? { PAYEE_PRIVATE_KEYS: [1, 2, 3, 4].map((index) => localAccount(index).privateKey).join(',') } : {}),
  };
  if (options.deployment) {
    env['CHAIN_RPC_URL'] = options.rpcUrl ?? options.deployment.rpcUrl;
    env['CHAIN_DEPLOYMENT_FILE'] = join(dataDir, 'deployment.json');
    writeDeployment(env['CHAIN_DEPLOYMENT_FILE'], options.deployment);
  }
  const grants = options.grants ?? new TestGrantIssuer();
  const receipts = new TestReceiptKeys();
  const payment = await buildPayment({
    settings: {
      serviceToken: TEST_TOKENS.payment,
      callers: testCallerDigests(CALLERS_ACCEPTED_BY.payment),
      store: options.databaseUrl
        ? { databaseUrl: options.databaseUrl }
        : { sqlitePath: options.sqlitePath ?? join(dataDir, 'payment.sqlite') },
      chain: loadChainEnv(dataDir, env),
      settlement: loadSettlementEnv(env),
      keys: env,
      services: options.services ?? loadConfig({ dir: join(findWorkspaceRoot(), 'config'), env: {} }).services,
      x402Services: options.x402Services ?? [],
      grantKey: grants.publicKey,
      receiptKey: options.deployment ? undefined : receipts.privateKey,
      // a test waits for a lease that outlasts the receipt wait by a second, not half a minute
      leaseMarginMs: 1_000,
      // no pending driver: a test that needs one drives it itself
      pending: undefined,
    },
    logger: createSilentLogger('payment'),
    reports: options.reports,
    x402Reports: options.x402Reports,
    audit: options.audit,
  });
  const { app, store, service, settler, leaseMs, close, x402Payments } = payment;
  return { app, store, service, settler, grants, receipts, leaseMs, close, x402Payments };
}
