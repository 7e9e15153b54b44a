/**
 * `npm start`: writes .env when missing (NEXUS_ENV_FILE names another file),
 * starts the local chain (a Hardhat node replaying its journal, the contracts
 * deployed and the treasury funded) unless PAYMENT_MODE=mock or a real
 * network is configured, builds the services (`--skip-build`: use dist/ as
 * it is), starts them under a supervisor (prefixed logs, also in
 * data/logs/), waits for every health check, prints how to call them, and
 * stops them all cleanly on Ctrl-C.
 */
import { resolve } from 'node:path';
import { SIGNING_KEY_PAIRS, loadChainEnv, loadConfig } from '@nexus/config';
import { ensureLocalChain } from '../chain/local-chain';
import { startLocalNodeUnlessRunning, withoutKeys, type LocalNode } from '../chain/local-node';
import { buildApps, DASHBOARD_PROJECT, workspaceRoot as root } from './build';
import { addLocalChainKeys, addServiceTokens, addSigningKeys, loadEnvFile } from './env-file';
import { withDerivedSecrets } from './process-secrets';
import { RestartPolicy } from './restart-policy';
import { printWelcome } from './welcome';
import { localUrl, portOf, stackEnvironment } from './stack-env';
import { STACK } from './stack-services';
import { Supervisor } from './supervisor';
import { waitHealthy } from './wait-healthy';

const out = (line: string) => process.stdout.write(`${line}\n`);
/** Stopped first to last: the gateway (it calls everyone), the providers, then the core services. */
const STOP_ORDER = [['gateway'], ['image-gen', 'price-oracle', 'batch-compute', 'log-archive'], ['policy', 'payment', 'logger']];

let supervisor: Supervisor | undefined;
let chainNode: LocalNode | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  out('stopping the stack...');
  try {
    await supervisor?.stop(STOP_ORDER);
  } finally {
    if (chainNode) await chainNode.stop();
  }
  out('stack stopped');
  process.exit(code);
}

async function startChain(env: Record<string, string>, envPath: string): Promise<Record<string, string>> {
  const chain = loadChainEnv(env['NEXUS_DATA_DIR'] || 'data', env);
  if (chain.mode !== 'chain' || chain.target.kind !== 'local') {
    out(
      chain.mode === 'mock'
        ? 'PAYMENT_MODE=mock: no chain, payments are recorded as MOCK'
        : `using the configured network at ${chain.target.rpcUrl}`,
    );
    return env;
  }
  let current = env;
  if (addLocalChainKeys(envPath)) {
    out(`added Hardhat's public development keys for the local chain to ${envPath}`);
    ({ env: current } = loadEnvFile(envPath));
  }
  const { rpcUrl, deploymentFile } = chain.target;
  const restarts = new RestartPolicy();
  chainNode = await startLocalNodeUnlessRunning({
    rpcUrl,
    deploymentFile,
    log: (line) => out(`[chain        ] ${line}`),
    // Supervised like the services: a node that dies is started again over its journal.
    supervise: {
      restartDelay: () => restarts.died(),
      onGiveUp: () => void stop(1),
      onRestarted: () => supervisor?.saveRunFile(),
    },
  });
  out(chainNode ? `started a Hardhat node at ${rpcUrl}` : `using the node already at ${rpcUrl}`);
  const { deployment, deployed } = await ensureLocalChain({ rpcUrl, deploymentFile, log: out });
  out(
    `${deployed ? 'deployed' : 'found'} MNEE ${deployment.token.address} and the router ${deployment.router}; treasury ${deployment.treasury}`,
  );
  // The payment answers SUCCESS only once the payment's block is in this journal (a node it did not start is not journaled).
  return chainNode ? { ...current, CHAIN_JOURNAL_FILE: chainNode.journalFile } : current;
}

/** The chain node in data/run/stack.json, as project `chain`. */
function chainRunEntry() {
  if (!chainNode) return [];
  const { pid } = chainNode.node.process;
  return [{ project: 'chain', pid: pid ?? null, port: Number(new URL(chainNode.url).port || 80), restarts: chainNode.restarts }];
}

async function main(): Promise<void> {
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(root, '.env'));
  let loaded = loadEnvFile(envPath);
  out(loaded.created ? `wrote fresh keys to ${envPath}` : `using keys from ${envPath}`);
  const addedTokens = addServiceTokens(envPath);
  if (addedTokens) out(`added a token for each service to ${envPath} (INTERNAL_TOKEN, shared by all, is no longer used)`);
  const addedKeys = addSigningKeys(envPath);
  for (const pair of addedKeys)
    out(`added a fresh pair of ${SIGNING_KEY_PAIRS[pair].signer}'s keys for ${SIGNING_KEY_PAIRS[pair].signs} to ${envPath}`);
  if (addedTokens || addedKeys.length > 0) {
    loaded = loadEnvFile(envPath);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  const chained = await startChain(loaded.env, envPath);
  // each provider's payee address: npm start hands it its own key out of PAYEE_PRIVATE_KEYS
  const services = loadConfig({ env: chained }).services;
  const payees = new Map(
    STACK.flatMap((s) => {
      const payee = services.find((service) => service.id === s.serviceId)?.payee;
      return payee ? [[s.project, payee] as const] : [];
    }),
  );
  const env = withDerivedSecrets(stackEnvironment(chained), payees);
  if (stopping) return;
  if (process.argv.includes('--skip-build')) {
    out('--skip-build: running the bundles already in dist/apps');
  } else {
    const projects = [...STACK.map((s) => s.project), DASHBOARD_PROJECT];
    out(`building ${projects.join(', ')}...`);
    buildApps(projects);
  }
  const dataDir = resolve(root, env['NEXUS_DATA_DIR'] || 'data');
  supervisor = new Supervisor({ env, dataDir, out, onGiveUp: () => void stop(1), alsoRunning: chainRunEntry });
  for (const service of STACK) supervisor.start(service);
  await Promise.all(STACK.map((s) => waitHealthy(`${localUrl(portOf(s, env))}/health`, 60_000, () => stopping)));
  printWelcome({ env, envPath, dataDir, out });
}

main().catch((error: unknown) => {
  out(`start failed: ${withoutKeys(error instanceof Error ? error.message : String(error))}`);
  void stop(1);
});
