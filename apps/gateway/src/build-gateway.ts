import { join } from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { LogOutbox, LoggerClient, PaymentClient, PolicyClient } from '@nexus/clients';
import type { NexusConfig } from '@nexus/config';
import { ConfigError } from '@nexus/config';
import { describeError, type Logger } from '@nexus/service-kit';
import {
  createIdempotencyStore,
  createOutboxStore,
  createStreamTicketStore,
  openDatabase,
  storeView,
  type IdempotencyTables,
  type OutboxTables,
  type StreamTicketTables,
} from '@nexus/stores';
import { StreamTickets } from './access/stream-tickets';
import { StreamProxies } from './live/stream-proxy';
import type { ChatServiceOptions } from './agents/chat-service';
import { lazyChat } from './agents/lazy-chat';
import { createApp } from './app';
import { checkGatewayTimeouts, type GatewayEnv } from './gateway-env';
import { GATEWAY_VERSION } from './version';
import { ApprovalDesk } from './pipeline/approval-desk';
import { IdempotentInvoke } from './pipeline/idempotent-invoke';
import { PaidCallPipeline } from './pipeline/paid-call-pipeline';
import { PRECHECK_TIMEOUT_MS } from './pipeline/precheck-grant';
import { createPipelineMetrics } from './pipeline/pipeline-metrics';
import { SettlementQueue } from './pipeline/settlement-queue';
import { ServiceDirectory, type X402PaidService } from './services/service-directory';
import { ServiceHealth } from './services/service-health';
import { PayingChainReader } from './x402/paying-chain';
import { X402Quoter } from './x402/x402-quoter';

export interface BuildGatewayOptions {
  env: GatewayEnv;
  config: NexusConfig;
  logger: Logger;
  /** the chat's models and limits (from the environment: `loadModelSettings`) */
  chat: Pick<ChatServiceOptions, 'models' | 'settings'> & Partial<Pick<ChatServiceOptions, 'modelFactory'>>;
}

export interface Gateway {
  app: Express;
  outbox: LogOutbox;
  /** ends the open event streams as shutdown starts, so it need not wait on them */
  stopping: () => void;
  /** stops the background work and closes the store (after the server stopped taking requests) */
  close: () => Promise<void>;
}

const PURGE_INTERVAL_MS = 3_600_000;
/** how long a read of budgets waits for the commits this gateway still owes the policy */
const QUEUED_COMMITS_WAIT_MS = 2_000;

/** Every agent key must name an agent of agents.yaml. */
function checkAgentKeys(env: GatewayEnv, config: NexusConfig): void {
  const known = new Set(config.agents.map((agent) => agent.id));
  const problems = [...env.agentApiKeys.keys()]
    .filter((id) => !known.has(id))
    .map((id) => ({ source: 'environment variable AGENT_API_KEYS', path: '', message: `${id} is not an agent of agents.yaml` }));
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Builds the gateway from its environment and configuration: store, clients, outbox, pipeline, agents and the app. */
export async function buildGateway(options: BuildGatewayOptions): Promise<Gateway> {
  const { env, config, logger } = options;
  checkAgentKeys(env, config);
  checkGatewayTimeouts(env, config, PRECHECK_TIMEOUT_MS);
  const database = openDatabase<unknown>({
    databaseUrl: env.databaseUrl,
    sqlitePath: join(env.dataDir, 'gateway.sqlite'),
    applicationName: 'nexus-gateway',
    onConnectionError: (error) => logger.warn('idle store connection lost; it will be replaced', { error: error.message }),
  });
  const idempotency = await createIdempotencyStore(storeView<IdempotencyTables>(database));
  const outboxStore = await createOutboxStore(storeView<OutboxTables>(database));
  const tickets = new StreamTickets(await createStreamTicketStore(storeView<StreamTicketTables>(database)), {
    knownAgent: (agentId) => env.agentApiKeys.has(agentId),
  });
  const registry = new Registry();
  const internal = { token: env.serviceToken, timeoutMs: env.upstreamTimeoutMs };
  const policy = new PolicyClient({ baseUrl: env.policyUrl, ...internal });
  const payments = new PaymentClient({ baseUrl: env.paymentUrl, ...internal, payTimeoutMs: env.payTimeoutMs });
  const logs = new LoggerClient({ baseUrl: env.loggerUrl, ...internal });
  const outbox = new LogOutbox({ queue: outboxStore, sink: logs, logger, registry }).start();
  const settlements = new SettlementQueue({ queue: outboxStore, policy, logger, batchCommits: true }).start();
  const services = new ServiceDirectory(config.services, { timeoutMs: env.providerTimeoutMs, x402: config.x402Services });
  const x402Quoter = new X402Quoter(new PayingChainReader(payments));
  const paidCalls = new PaidCallPipeline({
    x402Quoter,
    policy,
    payments,
    services,
    outbox,
    logger,
    providerTimeoutMs: env.providerTimeoutMs,
    settlements,
    metrics: createPipelineMetrics(registry),
  });
  const invoke = new IdempotentInvoke({ paidCalls, store: idempotency, logger, leaseMs: env.idempotencyLeaseMs });
  const approvals = new ApprovalDesk({ policy, calls: paidCalls, logger });
  const chat = lazyChat(async () => {
    const { ChatService } = await import('./agents/chat-service');
    const x402Services = services.list().filter((service): service is X402PaidService => service.kind === 'x402');
    return new ChatService({ paidCalls, logger, x402Services, ...options.chat });
  });
  const streams = new StreamProxies({ logs, logger });

  const purge = setInterval(() => {
    idempotency
      .purge(new Date(Date.now() - env.idempotencyRetentionMs))
      .catch((error: unknown) => logger.warn('could not purge old idempotency keys', { error: describeError(error) }));
    tickets.purge().catch((error: unknown) => logger.warn('could not purge old stream tickets', { error: describeError(error) }));
  }, PURGE_INTERVAL_MS);
  purge.unref();

  const app = createApp({
    policy,
    payments,
    logs,
    services,
    health: new ServiceHealth({ services, policy, payments, logs }),
    x402Quoter,
    invoke,
    approvals,
    chat,
    agents: config.agents,
    version: GATEWAY_VERSION,
    explorerTxUrl: env.explorerTxUrl,
    audit: outbox,
    streams,
    tickets,
    logger,
    registry,
    keys: { admin: env.adminApiKey, agents: env.agentApiKeys },
    rateLimit: env.rateLimit,
    authFailureLimit: env.authFailureLimit,
    corsOrigins: env.corsOrigins,
    bodyLimit: env.bodyLimit,
    mcpAccess: env.mcpAccess,
    dashboardDir: env.dashboardDir,
    storePing: () => database.ping(),
    queuedCommits: () => atMost(QUEUED_COMMITS_WAIT_MS, settlements.drain()),
  });
  return {
    app,
    outbox,
    stopping: () => streams.stop(),
    close: async () => {
      streams.stop();
      clearInterval(purge);
      await settlements.close();
      await outbox.close({ timeoutMs: 5_000 });
      await Promise.all([policy.close(), payments.close(), logs.close(), services.close()]);
      await database.close();
    },
  };
}

/** Waits for `work`, or `ms` at most (the work goes on); a failure of the work is not the waiter's. */
function atMost(ms: number, work: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work
      .then(
        () => resolve(),
        () => resolve(),
      )
      .finally(() => clearTimeout(timer));
  });
}
