import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { LogOutbox, LoggerClient, PolicyClient } from '@nexus/clients';
import {
  loadChainEnv,
  loadConfig,
  loadSigningKey,
  loadVerifyingKey,
  loadServiceEnv,
  type ChainEnv,
  type X402ServiceConfig,
} from '@nexus/config';
import type { CallerDigests, LoadedSettings, Logger } from '@nexus/service-kit';
import {
  createOutboxStore,
  createPaymentStore,
  openDatabase,
  storeView,
  type Database,
  type Dialect,
  type OpenDatabaseOptions,
  type OutboxTables,
  type PaymentStore,
  type PaymentTables,
} from '@nexus/stores';
import { CALLERS_ACCEPTED_BY, toBaseUnits } from '@nexus/types';
import { loadTreasuryCheckMs } from './alerts/treasury-alert-env';
import { TreasuryMonitor } from './alerts/treasury-monitor';
import { createApp } from './app';
import { buildSettler, type Payees } from './build-settler';
import { loadSettlementEnv, type SettlementEnv } from './chain/settlement-env';
import { GrantReader } from './grants/grant-reader';
import { createPaymentMetrics, registerLedgerGauges } from './payment-metrics';
import { PaymentService, type PaymentServiceDeps } from './payment-service';
import { PolicyOutcomeReports } from './pending/outcome-reports';
import { PendingDriver } from './pending/pending-driver';
import { loadPendingEnv, type PendingEnv } from './pending/pending-env';
import type { Settler } from './settler';
import { chainAccessOf } from './x402/chain-access';
import { X402AuthorizationChain } from './x402/x402-authorization-chain';
import { resolveX402Out } from './x402/x402-out-resolver';
import { X402Payments, type X402PaymentsDeps } from './x402/x402-payments';
import { X402Service } from './x402/x402-service';

/** How much longer than the wait for a receipt a lease on a payment lasts. */
export const DEFAULT_LEASE_MARGIN_MS = 30_000;

export interface PaymentSettings {
  /** this service's own token: the ends of the payments it drives go to the policy and the logger with it */
  serviceToken: string;
  /** the callers this service accepts → the sha256 of each one's token */
  callers: CallerDigests;
  /** PostgreSQL at `databaseUrl`, else SQLite at `sqlitePath` */
  store: Pick<OpenDatabaseOptions, 'databaseUrl' | 'sqlitePath'>;
  chain: ChainEnv;
  /** chain mode: payments in batches (PAYMENT_SETTLEMENT=batch, the default) or one transaction each */
  settlement: SettlementEnv;
  /** where the settler reads its keys (TREASURY_PRIVATE_KEY, PAYEE_PRIVATE_KEYS) and CHAIN_JOURNAL_FILE; never logged */
  keys: NodeJS.ProcessEnv;
  /** our own copy of services.yaml names each service's payee: a grant never does, nor the caller */
  services: Payees;
  /** the external x402 services of services.yaml (`kind: x402`): each is paid only to its `payTo` */
  x402Services?: readonly Pick<X402ServiceConfig, 'id' | 'payTo'>[];
  /** verifies the policy's grants (POLICY_GRANT_PUBLIC_KEY) */
  grantKey: KeyObject;
  /** mock mode: signs each payment's receipt for its provider (PAYMENT_RECEIPT_PRIVATE_KEY); none in chain mode */
  receiptKey: KeyObject | undefined;
  /** a lease on a payment lasts the receipt wait plus this; DEFAULT_LEASE_MARGIN_MS by default */
  leaseMarginMs?: number;
  /** the pending driver, its outcome reports and its audit outbox; `undefined`: none (a test that drives them itself) */
  pending: PendingEnv | undefined;
  /** chain mode with policy.alerts.treasuryBelow: the treasury_low alert's floor (base units) and how often to look; needs `pending` (its audit outbox) */
  treasuryAlert?: { floor: bigint; intervalMs: number } | undefined;
}

export interface BuildPaymentOptions {
  settings: PaymentSettings;
  logger: Logger;
  /** where the ends of payments settled in the request are told, when `settings.pending` builds no outcome reports */
  reports?: PaymentServiceDeps['reports'];
  /** where the holds of x402-out payments are pinned, committed, released when `settings.pending` builds no outcome reports (a test) */
  x402Reports?: X402PaymentsDeps['reports'];
  /** where settled x402 payments' events go when `settings.pending` builds no audit outbox (a test) */
  audit?: Pick<LogOutbox, 'record'>;
}

export interface Payment {
  app: Express;
  store: PaymentStore;
  service: PaymentService;
  settler: Settler;
  /** chain mode: our agents' payments to external x402 services */
  x402Payments: X402Payments | undefined;
  /** the lease the service takes on a payment it settles */
  leaseMs: number;
  dialect: Dialect;
  /** stops the background work, the settler and the store (after the server stopped taking requests) */
  close: () => Promise<void>;
}

/** The payment service's settings from its environment and services.yaml. */
export function loadPaymentSettings(env: NodeJS.ProcessEnv = process.env): LoadedSettings<PaymentSettings> {
  const service = loadServiceEnv('payment', 8006, env, { accepts: CALLERS_ACCEPTED_BY.payment });
  const chain = loadChainEnv(service.dataDir, env);
  const { services, x402Services, policy } = loadConfig({ env });
  const treasuryBelow = policy.alerts?.treasuryBelow;
  const grantKey = loadVerifyingKey('grant', env);
  const receiptKey = chain.mode === 'mock' ? loadSigningKey('receipt', env) : undefined;
  return {
    listen: { host: service.host, port: service.port },
    settings: {
      serviceToken: service.serviceToken,
      callers: service.callers,
      store: { databaseUrl: service.databaseUrl, sqlitePath: join(service.dataDir, 'payment.sqlite') },
      chain,
      settlement: loadSettlementEnv(env),
      keys: env,
      services,
      x402Services,
      grantKey,
      receiptKey,
      pending: loadPendingEnv(env),
      treasuryAlert:
        chain.mode === 'chain' && treasuryBelow !== undefined
          ? { floor: toBaseUnits(treasuryBelow), intervalMs: loadTreasuryCheckMs(env) }
          : undefined,
    },
  };
}

/** Builds the payment service from its settings: ledger, settler, grant reader, background workers and the app. */
export async function buildPayment(options: BuildPaymentOptions): Promise<Payment> {
  const { settings, logger } = options;
  const database = openDatabase<unknown>({
    ...settings.store,
    applicationName: 'nexus-payment',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const store = await createPaymentStore(storeView<PaymentTables>(database));
  const settler = await buildSettler(settings.chain, logger, settings.keys, settings.services, settings.settlement);
  const registry = new Registry();
  registerLedgerGauges(registry, store);
  const leaseMs = settings.chain.receiptTimeoutMs + (settings.leaseMarginMs ?? DEFAULT_LEASE_MARGIN_MS);
  const grants = new GrantReader(
    settings.grantKey,
    settings.services,
    (settings.x402Services ?? []).map((service) => ({ id: service.id, payee: service.payTo })),
  );
  const chain = chainAccessOf(settler);
  const pendingX402 = chain && new X402AuthorizationChain(chain);
  const workers =
    settings.pending &&
    (await startPendingWork(settings, settings.pending, { database, store, settler, logger, registry, leaseMs, x402: pendingX402 }));
  const service = new PaymentService({
    store,
    settler,
    grants,
    receiptKey: settings.receiptKey,
    logger,
    metrics: createPaymentMetrics(registry),
    leaseMs,
    reports: workers?.reports ?? options.reports,
    onSettled: workers?.treasury && (() => workers.treasury?.nudge()),
  });
  const x402 =
    chain &&
    new X402Service({
      chain,
      store,
      payees: new Map(settings.services.map((entry) => [entry.id, entry.payee])),
      audit: workers?.audit ?? options.audit,
      logger,
    });
  const x402Payments =
    chain && new X402Payments({ chain, store, grants, reports: workers?.reports ?? options.x402Reports, logger, leaseMs });
  const app = createApp({ payments: service, store, settler, registry, logger, callers: settings.callers, x402, x402Payments });
  return {
    app,
    store,
    service,
    settler,
    x402Payments,
    leaseMs,
    dialect: database.dialect,
    close: async () => {
      await workers?.close();
      settler.close();
      await store.close();
    },
  };
}

/**
 * Payments a previous run (or a silent chain) left PENDING are driven to their
 * end and their holds settled: the outcomes go to the policy, the ends to the
 * audit trail, each from its own outbox with this service's own credential.
 */
async function startPendingWork(
  settings: PaymentSettings,
  pending: PendingEnv,
  deps: {
    database: Database<unknown>;
    store: PaymentStore;
    settler: Settler;
    logger: Logger;
    registry: Registry;
    leaseMs: number;
    /** chain mode: the x402-out payments are ended by the chain's word on their authorizations */
    x402: X402AuthorizationChain | undefined;
  },
) {
  const { store, settler, logger, registry, leaseMs, x402 } = deps;
  const outboxStore = await createOutboxStore(storeView<OutboxTables>(deps.database));
  const policy = new PolicyClient({ baseUrl: pending.policyUrl, token: settings.serviceToken });
  const logs = new LoggerClient({ baseUrl: pending.loggerUrl, token: settings.serviceToken });
  const audit = new LogOutbox({
    queue: outboxStore,
    sink: logs,
    logger,
    registry,
  }).start();
  const reports = new PolicyOutcomeReports({ queue: outboxStore, policy, logger, ledger: store, audit }).start();
  const driver = new PendingDriver({
    store,
    settler,
    resolvers: x402 && { 'x402-out': (payment) => resolveX402Out(x402, payment) },
    reports,
    audit,
    logger,
    leaseMs,
    intervalMs: pending.driverIntervalMs,
  }).start();
  const alert = settings.treasuryAlert;
  const treasury =
    alert && new TreasuryMonitor({ settler, audit, marks: outboxStore, floor: alert.floor, intervalMs: alert.intervalMs, logger }).start();
  return {
    reports,
    treasury,
    audit,
    close: async () => {
      await treasury?.close();
      await driver.close();
      await reports.close();
      await audit.close({ timeoutMs: 2_000 });
      await Promise.all([policy.close(), logs.close()]);
    },
  };
}
