import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError, loadChainEnv, loadConfig, loadGrantVerifyingKey, loadServiceEnv } from '@nexus/config';
import { createLogger, describeError, serve } from '@nexus/service-kit';
import { createPaymentStore, openDatabase, type PaymentTables } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from './app';
import { buildSettler } from './build-settler';
import { GrantReader } from './grants/grant-reader';
import { createPaymentMetrics } from './payment-metrics';
import { PaymentService } from './payment-service';

const logger = createLogger('payment');

async function main(): Promise<void> {
  const env = loadServiceEnv('payment', 8006, process.env, { accepts: CALLERS_ACCEPTED_BY.payment });
  const chain = loadChainEnv(env.dataDir);
  // Our own copy of services.yaml names each service's payee: a grant never does, nor the caller.
  const grants = new GrantReader(loadGrantVerifyingKey(), loadConfig().services);
  const database = openDatabase<PaymentTables>({
    databaseUrl: env.databaseUrl,
    sqlitePath: join(env.dataDir, 'payment.sqlite'),
    applicationName: 'nexus-payment',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const store = await createPaymentStore(database);
  const settler = await buildSettler(chain, logger);
  const registry = new Registry();
  const payments = new PaymentService({
    store,
    settler,
    grants,
    logger,
    metrics: createPaymentMetrics(registry),
    leaseMs: chain.receiptTimeoutMs + 30_000,
  });
  const app = createApp({ payments, store, settler, registry, logger, callers: env.callers });
  await serve(app, {
    host: env.host,
    port: env.port,
    logger,
    onShutdown: async () => {
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
