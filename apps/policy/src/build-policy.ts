import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { loadConfig, loadSigningKey, loadServiceEnv, type NexusConfig } from '@nexus/config';
import { LogOutbox, LoggerClient } from '@nexus/clients';
import type { CallerDigests, LoadedSettings, Logger } from '@nexus/service-kit';
import {
  createOutboxStore,
  createPolicyStore,
  openDatabase,
  storeView,
  type Database,
  type Dialect,
  type OpenDatabaseOptions,
  type OutboxTables,
  type PolicyStore,
  type PolicyTables,
} from '@nexus/stores';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';
import { createApp } from './app';
import type { ApprovalAudit } from './approvals';
import { loadAuditEnv } from './audit-env';
import { buildCatalog } from './catalog';
import { startHousekeeping } from './housekeeping';
import { policyCalendar } from './period';
import { createPolicyMetrics } from './policy-metrics';
import { PolicyService } from './policy-service';

export interface PolicySettings {
  config: NexusConfig;
  /** the key grants are signed with (POLICY_GRANT_PRIVATE_KEY) */
  grantKey: KeyObject;
  /** the callers this service accepts → the sha256 of each one's token */
  callers: CallerDigests;
  /** PostgreSQL at `databaseUrl`, else SQLite at `sqlitePath` */
  store: Pick<OpenDatabaseOptions, 'databaseUrl' | 'sqlitePath'>;
  /** how often expired holds are swept and the period rolled (policy.yaml); `false`: never (a test that drives it) */
  housekeepingIntervalMs: number | false;
  /** where the policy's alerts and approvals go (the logger), with this service's own token; none: they are not sent */
  audit?: { loggerUrl: string; token: string };
}

export interface BuildPolicyOptions {
  settings: PolicySettings;
  logger: Logger;
  /** the service's and the store's clock; the wall clock by default */
  clock?: () => Date;
  /** where approval events go (the policy's outbox to the logger) */
  audit?: ApprovalAudit;
}

export interface Policy {
  app: Express;
  store: PolicyStore;
  policy: PolicyService;
  dialect: Dialect;
  /** stops the housekeeping and closes the store (after the server stopped taking requests) */
  close: () => Promise<void>;
}

/** The policy service's settings from its environment and the config files. */
export function loadPolicySettings(env: NodeJS.ProcessEnv = process.env): LoadedSettings<PolicySettings> {
  const service = loadServiceEnv('policy', 8005, env, { accepts: CALLERS_ACCEPTED_BY.policy });
  const config = loadConfig({ env });
  return {
    listen: { host: service.host, port: service.port },
    settings: {
      config,
      grantKey: loadSigningKey('grant', env),
      callers: service.callers,
      store: { databaseUrl: service.databaseUrl, sqlitePath: join(service.dataDir, 'policy.sqlite') },
      housekeepingIntervalMs: config.policy.holds.sweepIntervalSeconds * 1000,
      audit: { loggerUrl: loadAuditEnv(env).loggerUrl, token: service.serviceToken },
    },
  };
}

/** Builds the policy service from its settings: store, rules, housekeeping and the app. */
export async function buildPolicy(options: BuildPolicyOptions): Promise<Policy> {
  const { settings, logger, clock } = options;
  const database = openDatabase<unknown>({
    ...settings.store,
    applicationName: 'nexus-policy',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const store = await createPolicyStore(storeView<PolicyTables>(database), policyCalendar(settings.config.policy.period), clock?.());
  const registry = new Registry();
  const audit = settings.audit && (await startAudit(database, settings.audit, logger, registry));
  const policy = new PolicyService({
    store,
    catalog: buildCatalog(settings.config),
    clock,
    metrics: createPolicyMetrics(registry),
    grantKey: settings.grantKey,
    logger,
    // An SQLite file serves one instance (it stays locked while the service runs): every commit passes through here.
    soleWriter: database.dialect === 'sqlite',
    // A test may watch the approval events itself instead of running a logger.
    ...(options.audit ? { audit: options.audit } : audit ? { audit: audit.outbox } : {}),
  });
  const stopHousekeeping =
    settings.housekeepingIntervalMs === false ? () => undefined : startHousekeeping(policy, settings.housekeepingIntervalMs, logger);
  const app = createApp({ policy, store, registry, logger, callers: settings.callers });
  return {
    app,
    store,
    policy,
    dialect: database.dialect,
    close: async () => {
      stopHousekeeping();
      await policy.flushAlerts();
      await audit?.close();
      await store.close();
    },
  };
}

/** The policy's own events go to the logger through a durable outbox in its store, as the other services' do. */
async function startAudit(database: Database<unknown>, audit: { loggerUrl: string; token: string }, logger: Logger, registry: Registry) {
  const queue = await createOutboxStore(storeView<OutboxTables>(database));
  const sink = new LoggerClient({ baseUrl: audit.loggerUrl, token: audit.token });
  const outbox = new LogOutbox({ queue, sink, logger, registry }).start();
  return {
    outbox,
    close: async () => {
      await outbox.close({ timeoutMs: 2_000 });
      await sink.close();
    },
  };
}
