import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { localAccount, writeDeployment, type Deployment } from '@nexus/chain';
import { loadChainEnv } from '@nexus/config';
import { createSilentLogger } from '@nexus/service-kit';
import { createPaymentStore, openDatabase, type PaymentStore, type PaymentTables } from '@nexus/stores';
import { createApp } from '../app';
import { buildSettler } from '../build-settler';
import { createPaymentMetrics } from '../payment-metrics';
import { PaymentService } from '../payment-service';
import type { Settler } from '../settler';

export const TEST_TOKEN = 'test-internal-token-0123456789';
export const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

export interface PaymentUnderTest {
  app: Express;
  store: PaymentStore;
  service: PaymentService;
  settler: Settler;
  close: () => Promise<void>;
}

export interface PaymentHarnessOptions {
  /** chain mode against this deployment (its rpcUrl may point at a proxy); mock mode when absent */
  deployment?: Deployment;
  rpcUrl?: string;
  /** let the service sign refunds for Hardhat payees #1–#4 */
  payeeKeys?: boolean;
  databaseUrl?: string;
  receiptTimeoutMs?: number;
  /** the local node's journal (CHAIN_JOURNAL_FILE, as npm start sets it): SUCCESS waits for the block to be in it */
  journalFile?: string;
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
    ...(options.payeeKeys ? { PAYEE_PRIVATE_KEYS: [1, 2, 3, 4].map((index) => localAccount(index).privateKey).join(',') } : {}),
  };
  if (options.deployment) {
    env['CHAIN_RPC_URL'] = options.rpcUrl ?? options.deployment.rpcUrl;
    env['CHAIN_DEPLOYMENT_FILE'] = join(dataDir, 'deployment.json');
    writeDeployment(env['CHAIN_DEPLOYMENT_FILE'], options.deployment);
  }
  const chain = loadChainEnv(dataDir, env);
  const logger = createSilentLogger('payment');
  const database = openDatabase<PaymentTables>(
    options.databaseUrl ? { databaseUrl: options.databaseUrl } : { sqlitePath: join(dataDir, 'payment.sqlite') },
  );
  const store = await createPaymentStore(database);
  const settler = await buildSettler(chain, logger, env);
  const registry = new Registry();
  const service = new PaymentService({
    store,
    settler,
    logger,
    metrics: createPaymentMetrics(registry),
    leaseMs: chain.receiptTimeoutMs + 1_000,
  });
  const app = createApp({ payments: service, store, settler, registry, logger, internalToken: TEST_TOKEN });
  return {
    app,
    store,
    service,
    settler,
    close: async () => {
      settler.close();
      await store.close();
    },
  };
}
