import { join } from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { z } from 'zod';
import {
  DeploymentMissingError,
  TxSender,
  devAccountProblems,
  envAccountSettings,
  resolveContracts,
  type ChainContracts,
} from '@nexus/chain';
import { PaymentClient } from '@nexus/clients';
import { ConfigError, loadChainEnv, loadConfig, loadVerifyingKey, type ChainEnv, type ServiceEnv } from '@nexus/config';
import type { HealthCheck, Logger } from '@nexus/service-kit';
import { createRedemptionStore, openDatabase, type Database, type RedemptionStore, type RedemptionTables } from '@nexus/stores';
import { createProviderApp } from './create-provider-app';
import { payeeKeyName, payeeSigner } from './payee-signer';
import { Paywall } from './paywall';
import type { ProviderBuilder, ProviderRuntime } from './provider-definition';
import { createPaywallMetrics } from './provider-metrics';
import { buildQuote, type PaymentTerms } from './quote';
import { ChainRefunder } from './refund/chain-refunder';
import { LedgerRefunder } from './refund/ledger-refunder';
import type { Refunder } from './refund/refunder';
import { loadUnpaidLimits } from './unpaid/unpaid-guard';
import { startRefundSync, syncRefunds } from './refund/refund-sync';
import { ChainVerifier } from './verify/chain-verifier';
import { LedgerVerifier } from './verify/ledger-verifier';
import { ReceiptVerifier } from './verify/receipt-verifier';
import type { PaymentVerifier } from './verify/payment-verifier';
import { X402Acceptor } from './x402/x402-acceptor';
import { paymentServiceFacilitator } from './x402/x402-facilitator';
import { readX402Offer, type X402Offer } from './x402/x402-offer';

export interface AssembleOptions {
  /** the Nx app name (`image-gen`): names its store file, logs, metrics and env prefix */
  name: string;
  /** the service id in config/services.yaml; the name upper-cased (`IMAGE_GEN`) by default */
  serviceId?: string;
  build: ProviderBuilder;
  serviceEnv: ServiceEnv;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface AssembledProvider {
  app: Express;
  runtime: ProviderRuntime;
  paywall: Paywall;
  redemptions: RedemptionStore;
  /** tells the payments ledger now of refunds it missed while down (the background sync does it every 15 s); returns how many */
  syncRefunds: () => Promise<number>;
  /** runs the provider's shutdown callbacks, then closes the chain connection and the store */
  close: () => Promise<void>;
}

const PaymentUrl = z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8006');

/** Off the local chain, Hardhat's public keys and addresses are refused: anyone could take the payee's money. */
function refuseDevAccounts(chainId: number, payee: string, prefix: string, env: NodeJS.ProcessEnv): void {
  const keys = (name: string) => envAccountSettings(name, env);
  const problems = devAccountProblems(chainId, [
    { source: 'services.yaml (or NEXUS_SERVICE_<ID>_PAYEE)', path: 'payee', value: payee },
    ...keys(payeeKeyName(prefix)),
    ...keys('PAYEE_PRIVATE_KEYS'),
  ]);
  if (problems.length > 0) throw new ConfigError(problems);
}

interface PaymentSide {
  verifier: PaymentVerifier;
  refunder: Refunder;
  terms: PaymentTerms;
  contracts: ChainContracts | undefined;
  /** the x402 v2 offer (chain mode, a token with an EIP-712 domain); undefined: the native proof only */
  x402: X402Offer | undefined;
}

async function paymentSide(
  chain: ChainEnv,
  payments: PaymentClient,
  payee: string,
  prefix: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<PaymentSide> {
  if (chain.mode === 'mock') {
    return {
      // the gateway's proofs carry the payment service's signed receipt, checked here with no call back
      verifier: new ReceiptVerifier(loadVerifyingKey('receipt', env), new LedgerVerifier(payments)),
      refunder: new LedgerRefunder(payments),
      terms: { mode: 'mock', chainId: null, router: null, token: null, confirmations: 0 },
      contracts: undefined,
      x402: undefined,
    };
  }
  // a real network's id is known before any RPC call; the local deployment names its own
  if (chain.target.kind === 'configured') refuseDevAccounts(chain.target.chainId, payee, prefix, env);
  let contracts: ChainContracts;
  try {
    contracts = await resolveContracts(chain.target);
  } catch (error) {
    if (error instanceof DeploymentMissingError)
      throw new ConfigError([{ source: error.path, path: '', message: error.message }], { cause: error });
    throw error;
  }
  const treasury = contracts.treasury;
  if (!treasury) {
    contracts.provider.destroy();
    throw new ConfigError([
      {
        source: 'environment variable TREASURY_ADDRESS',
        path: '',
        message: 'is required on a configured network: a provider accepts only payments the treasury made',
      },
    ]);
  }
  refuseDevAccounts(contracts.chainId, payee, prefix, env);
  const signer = payeeSigner(prefix, payee, contracts.provider, env);
  const x402 = await readX402Offer({
    provider: contracts.provider,
    chainId: contracts.chainId,
    token: contracts.token,
    payTo: payee,
  }).catch((error: unknown) => {
    logger.warn('could not read the token to make an x402 offer: x402 payments are not offered', { error: String(error) });
    return undefined;
  });
  if (x402 && !x402.domain) logger.info('the token has no EIP-712 domain (no ERC-3009): x402 is offered by the Permit2 path only');
  if (!signer) logger.warn('no payee key: refunds of failed calls are asked of the payment service', { payee });
  return {
    verifier: new ChainVerifier({
      provider: contracts.provider,
      router: contracts.router,
      treasury,
      tokenDecimals: contracts.token.decimals,
      confirmations: chain.confirmations,
      retry: chain.rpcRetry,
    }),
    refunder: new ChainRefunder({
      provider: contracts.provider,
      router: contracts.router,
      treasury,
      payee: signer && new TxSender(signer, chain.rpcRetry),
      payments,
      confirmations: chain.confirmations,
      receiptTimeoutMs: chain.receiptTimeoutMs,
      logger,
    }),
    terms: {
      mode: 'chain',
      chainId: contracts.chainId,
      router: contracts.router,
      token: contracts.token,
      confirmations: chain.confirmations,
    },
    contracts,
    x402,
  };
}

/**
 * Builds a provider from its environment the one way `runProvider` and the
 * test harness share: config entry, store, paywall (chain or mock), the
 * provider's own definition, and the app.
 */
export async function assembleProvider(options: AssembleOptions): Promise<AssembledProvider> {
  const { name, serviceEnv, env, logger } = options;
  const prefix = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const serviceId = options.serviceId ?? prefix;
  const service = loadConfig({ env }).services.find((candidate) => candidate.id === serviceId);
  if (!service) throw new ConfigError([{ source: 'services.yaml', path: 'services', message: `has no service ${serviceId}` }]);
  const url = PaymentUrl.safeParse(env['PAYMENT_URL'] || undefined);
  if (!url.success) throw new ConfigError([{ source: 'environment variable PAYMENT_URL', path: '', message: 'must be an http(s) URL' }]);
  const chain = loadChainEnv(serviceEnv.dataDir, env);
  const unpaidLimits = loadUnpaidLimits(env);
  const payments = new PaymentClient({ baseUrl: url.data, token: serviceEnv.serviceToken });
  const side = await paymentSide(chain, payments, service.payee, prefix, env, logger);

  const database = openDatabase<RedemptionTables>({
    databaseUrl: serviceEnv.databaseUrl,
    sqlitePath: join(serviceEnv.dataDir, `${name}.sqlite`),
    applicationName: `nexus-${name}`,
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const closers: (() => Promise<void> | void)[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const closer of closers.reverse()) await closer();
      side.contracts?.provider.destroy();
      await payments.close();
      await database.close();
    })());
  try {
    const redemptions = await createRedemptionStore(database);
    const registry = new Registry();
    const metrics = createPaywallMetrics(registry);
    const x402 =
      side.x402 &&
      new X402Acceptor({ offer: side.x402, facilitator: paymentServiceFacilitator(url.data, serviceEnv.serviceToken), logger, metrics });
    const paywall = new Paywall({
      quote: buildQuote(service, side.terms),
      verifier: side.verifier,
      refunder: side.refunder,
      redemptions,
      logger,
      metrics,
      ...(x402 ? { x402 } : {}),
    });
    const runtime: ProviderRuntime = {
      service,
      dataDir: serviceEnv.dataDir,
      // One database serves the kit's tables and the provider's: the type names the tables the caller uses.
      database: <Tables>() => database as unknown as Database<Tables>,
      logger,
      registry,
      onShutdown: (closer) => closers.push(closer),
      env,
    };
    closers.push(startRefundSync(redemptions, side.refunder, logger));
    const definition = await options.build(runtime);
    if (definition.serviceId !== service.id) throw new Error(`the provider built for ${service.id} says it is ${definition.serviceId}`);
    const healthChecks: Record<string, HealthCheck> = {
      store: () => database.ping(),
      [side.verifier.mode === 'chain' ? 'chain' : 'payment']: () => side.verifier.ping(),
    };
    const app = createProviderApp({ name, definition, paywall, logger, registry, healthChecks, unpaidLimits });
    return { app, runtime, paywall, redemptions, syncRefunds: () => syncRefunds(redemptions, side.refunder, logger), close };
  } catch (error) {
    await close();
    throw error;
  }
}
