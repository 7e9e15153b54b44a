import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request, { type Test } from 'supertest';
import { createSilentLogger } from '@nexus/service-kit';
import { TEST_TOKENS, findWorkspaceRoot } from '@nexus/service-kit/testing';
import type { RedemptionStore } from '@nexus/stores';
import { PAYMENT_ID_HEADER, PAYMENT_RECEIPT_HEADER, PAYMENT_TX_HEADER, isServiceCaller, type Payment, type Quote } from '@nexus/types';
import { assembleProvider } from '../assemble-provider';
import type { Paywall } from '../paywall';
import type { ProviderBuilder, ProviderRuntime } from '../provider-definition';
import {
  startTestPaymentNetwork,
  type TestPaymentMode,
  type TestPaymentNetwork,
  type TestPaymentNetworkOptions,
} from './test-payment-network';

export interface ProviderTestOptions {
  /** the service id in config/services.yaml (IMAGE_GEN...) */
  serviceId: string;
  /** a payment network of its own in this mode... */
  mode?: TestPaymentMode;
  /** ...or a shared one (not stopped by close()) */
  network?: TestPaymentNetwork;
  /** how to start a network of its own */
  networkOptions?: TestPaymentNetworkOptions;
  /** reuse a data directory (a restart of the provider); a fresh one by default */
  dataDir?: string;
  /** PostgreSQL for the provider's store */
  databaseUrl?: string;
  /** extra environment of the provider */
  env?: Record<string, string>;
}

export interface PayOptions {
  variant?: string;
  /** the variant's price by default */
  amount?: string;
  /** the payee is the one the payment service's services.yaml names for it */
  serviceId?: string;
  agentId?: string;
}

export interface ProviderUnderTest {
  app: Express;
  quote: Quote;
  runtime: ProviderRuntime;
  paywall: Paywall;
  redemptions: RedemptionStore;
  /** tells the payments ledger of refunds it missed while it was down */
  syncRefunds: () => Promise<number>;
  network: TestPaymentNetwork;
  dataDir: string;
  /** pays this provider through the real payment service, on a grant signed as the policy would; send `headers` with POST /invoke */
  pay: (options?: PayOptions) => Promise<{ payment: Payment; headers: Record<string, string> }>;
  /** POST /invoke with `body`, and the proof `headers` of `pay` when it is a paid call */
  invoke: (body: unknown, headers?: Record<string, string>) => Test;
  /** stops the provider (and its network when it started one) */
  close: () => Promise<void>;
}

/** The proof headers of a payment. */
export function proofHeaders(payment: Pick<Payment, 'id' | 'txHash' | 'receipt'>): Record<string, string> {
  return {
    [PAYMENT_ID_HEADER]: payment.id,
    ...(payment.txHash ? { [PAYMENT_TX_HEADER]: payment.txHash } : {}),
    ...(payment.receipt ? { [PAYMENT_RECEIPT_HEADER]: payment.receipt } : {}),
  };
}

/**
 * A provider built exactly as `runProvider` builds it, in process for
 * supertest, paid through a real payment service (and a real Hardhat node in
 * chain mode).
 */
export async function createProviderUnderTest(build: ProviderBuilder, options: ProviderTestOptions): Promise<ProviderUnderTest> {
  const network = options.network ?? (await startTestPaymentNetwork(options.mode ?? 'mock', options.networkOptions));
  const ownsNetwork = !options.network;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nexus-provider-'));
  const env: NodeJS.ProcessEnv = { ...network.providerEnv, NEXUS_CONFIG_DIR: join(findWorkspaceRoot(), 'config'), ...options.env };
  try {
    const name = options.serviceId.toLowerCase().replace(/_/g, '-');
    const provider = await assembleProvider({
      name,
      serviceId: options.serviceId,
      build,
      env,
      serviceEnv: {
        host: '127.0.0.1',
        port: 0,
        serviceToken: isServiceCaller(name) ? TEST_TOKENS[name] : `test-${name}-token-unknown-to-payment`,
        callers: new Map(),
        databaseUrl: options.databaseUrl,
        dataDir,
      },
      logger: createSilentLogger(name),
    });
    const quote = provider.paywall.quote;
    const pay = async (pay: PayOptions = {}) => {
      const variant = pay.variant ?? quote.defaultVariant;
      const price = quote.variants.find((candidate) => candidate.id === variant)?.price;
      const grant = await network.grants.issue({
        agentId: pay.agentId ?? 'test-agent',
        serviceId: pay.serviceId ?? quote.serviceId,
        variant,
        amount: pay.amount ?? price ?? '0.01',
      });
      const payment = await network.payments.pay({ grant, idempotencyKey: `test-${randomBytes(12).toString('hex')}` });
      return { payment, headers: proofHeaders(payment) };
    };
    return {
      app: provider.app,
      quote,
      runtime: provider.runtime,
      paywall: provider.paywall,
      redemptions: provider.redemptions,
      syncRefunds: provider.syncRefunds,
      network,
      dataDir,
      pay,
      invoke: (body, headers = {}) =>
        request(provider.app)
          .post('/invoke')
          .set(headers)
          .send(body as object),
      close: async () => {
        await provider.close();
        if (ownsNetwork) await network.stop();
      },
    };
  } catch (error) {
    if (ownsNetwork) await network.stop();
    throw error;
  }
}
