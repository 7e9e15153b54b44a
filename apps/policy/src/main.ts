import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError, loadConfig, loadGrantSigningKey, loadServiceEnv } from '@nexus/config';
import { createLogger, describeError, serve } from '@nexus/service-kit';
import { createPolicyStore, openDatabase, type PolicyTables } from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from './app';
import { buildCatalog } from './catalog';
import { startHousekeeping } from './housekeeping';
import { periodBounds } from './period';
import { createPolicyMetrics } from './policy-metrics';
import { PolicyService } from './policy-service';

const logger = createLogger('policy');

async function main(): Promise<void> {
  const env = loadServiceEnv('policy', 8005, process.env, { accepts: CALLERS_ACCEPTED_BY.policy });
  const config = loadConfig();
  const grantKey = loadGrantSigningKey();
  const database = openDatabase<PolicyTables>({
    databaseUrl: env.databaseUrl,
    sqlitePath: join(env.dataDir, 'policy.sqlite'),
    applicationName: 'nexus-policy',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const store = await createPolicyStore(database, periodBounds(config.policy.period));
  const registry = new Registry();
  const policy = new PolicyService({ store, catalog: buildCatalog(config), metrics: createPolicyMetrics(registry), grantKey });
  const stopHousekeeping = startHousekeeping(policy, config.policy.holds.sweepIntervalSeconds * 1000, logger);
  const app = createApp({ policy, store, registry, logger, callers: env.callers });
  await serve(app, {
    host: env.host,
    port: env.port,
    logger,
    onShutdown: async () => {
      stopHousekeeping();
      await store.close();
    },
  });
  logger.info('policy service ready', {
    store: database.dialect,
    agents: config.agents.length,
    services: config.services.length,
    configDir: config.dir,
  });
}

main().catch((error: unknown) => {
  const details = error instanceof ConfigError ? { problems: error.problems } : { cause: describeError(error) };
  logger.error('policy service failed to start', { error: error instanceof Error ? error.message : String(error), ...details });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
