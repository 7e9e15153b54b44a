import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError, loadChainEnv, loadConfig, loadGrantVerifyingKey, loadServiceEnv } from '@nexus/config';
import { createLogger, describeError, serve } from '@nexus/service-kit';
import { LogOutbox, LoggerClient, PolicyClient } from '@nexus/clients';
import { createOutboxStore, createPaymentStore, openDatabase, storeView, type OutboxTables, type PaymentTables } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from './app';
import { buildSettler } from './build-settler';
import { GrantReader } from './grants/grant-reader';
import { createPaymentMetrics } from './payment-metrics';
import { PaymentService } from './payment-service';
import { PolicyOutcomeReports } from './pending/outcome-reports';
import { loadPendingEnv } from './pending/pending-env';
import { PendingDriver } from './pending/pending-driver';

const logger = createLogger('payment');

async function main(): Promise<void> {
  const env = loadServiceEnv('payment', 8006, process.env, { accepts: CALLERS_ACCEPTED_BY.payment });
  const chain = loadChainEnv(env.dataDir);
  // Our own copy of services.yaml names each service's payee: a grant never does, nor the caller.
  const { services } = loadConfig();
  const grants = new GrantReader(loadGrantVerifyingKey(), services);
  const pendingEnv = loadPendingEnv();
  const database = openDatabase<unknown>({
    databaseUrl: env.databaseUrl,
    sqlitePath: join(env.dataDir, 'payment.sqlite'),
    applicationName: 'nexus-payment',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const store = await createPaymentStore(storeView<PaymentTables>(database));
  const outboxStore = await createOutboxStore(storeView<OutboxTables>(database));
  const settler = await buildSettler(chain, logger, process.env, services);
  const registry = new Registry();
  const leaseMs = chain.receiptTimeoutMs + 30_000;
  // Payments a previous run (or a silent chain) left PENDING are driven to their end, and their holds settled.
  const policy = new PolicyClient({ baseUrl: pendingEnv.policyUrl, token: env.serviceToken });
  // The ends of the payments it drives reach the audit trail from its own outbox, with its own credential.
  const audit = new LogOutbox({
    queue: outboxStore,
    sink: new LoggerClient({ baseUrl: pendingEnv.loggerUrl, token: env.serviceToken }),
    logger,
    registry,
  }).start();
  const reports = new PolicyOutcomeReports({ queue: outboxStore, policy, logger, ledger: store, audit }).start();
  const payments = new PaymentService({ store, settler, grants, logger, metrics: createPaymentMetrics(registry), leaseMs, reports });
  const driver = new PendingDriver({ store, settler, reports, audit, logger, leaseMs, intervalMs: pendingEnv.driverIntervalMs }).start();
  const app = createApp({ payments, store, settler, registry, logger, callers: env.callers });
  await serve(app, {
    host: env.host,
    port: env.port,
    logger,
    onShutdown: async () => {
      await driver.close();
      await reports.close();
      await audit.close({ timeoutMs: 2_000 });
      settler.close();
      await store.close();
    },
  });
  logger.info('payment service ready', { mode: chain.mode, store: database.dialect });
}

main().catch((error: unknown) => {
  const details = error instanceof ConfigError ? { problems: error.problems } : { cause: describeError(error) };
  logger.error('payment service failed to start', { error: error instanceof Error ? error.message : String(error), ...details });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
