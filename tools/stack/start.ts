/**
 * `npm start`: writes .env when missing, starts the local chain (a Hardhat
 * node with the contracts deployed and the treasury funded) unless
 * PAYMENT_MODE=mock or a real network is configured, builds the services,
 * starts them with prefixed logs, waits for every health check, prints how to
 * call them, and stops them all cleanly on Ctrl-C (or when one of them dies).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { HardhatNode } from '@nexus/chain';
import { loadChainEnv } from '@nexus/config';
import { ensureLocalChain, startLocalNodeUnlessRunning } from '../chain/local-chain';
import { buildApps, bundlePath, workspaceRoot as root } from './build';
import { addLocalChainKeys, loadEnvFile } from './env-file';
import { STACK, type StackService } from './stack-services';
import { waitHealthy } from './wait-healthy';

const out = (line: string) => process.stdout.write(`${line}\n`);
const children = new Map<string, ChildProcess>();
let chainNode: HardhatNode | undefined;
let stopping = false;

function launch(service: StackService, env: Record<string, string>): void {
  const child = spawn(process.execPath, ['--enable-source-maps', bundlePath(service.project)], {
    cwd: root,
    env: { ...env, [service.portEnv]: env[service.portEnv] ?? String(service.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(service.project, child);
  const prefix = `[${service.project.padEnd(13)}]`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => out(`${prefix} ${line}`));
  }
  child.on('exit', (code, signal) => {
    children.delete(service.project);
    if (!stopping) {
      out(`${prefix} exited (${signal ?? `code ${code}`}); stopping the stack`);
      void stop(1);
    }
  });
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const running = [...children.values()];
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((done) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (chainNode) await chainNode.stop();
  out('stack stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(root, '.env'));
  const loaded = loadEnvFile(envPath);
  let env = loaded.env;
  out(loaded.created ? `wrote fresh keys to ${envPath}` : `using keys from ${envPath}`);
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  const chain = loadChainEnv(env['NEXUS_DATA_DIR'] || 'data', env);
  if (chain.mode === 'chain' && chain.target.kind === 'local') {
    if (addLocalChainKeys(envPath)) {
      out(`added Hardhat's public development keys for the local chain to ${envPath}`);
      ({ env } = loadEnvFile(envPath));
    }
    chainNode = await startLocalNodeUnlessRunning({ rpcUrl: chain.target.rpcUrl });
    out(chainNode ? `started a Hardhat node at ${chain.target.rpcUrl}` : `using the node already at ${chain.target.rpcUrl}`);
    const { deployment, deployed } = await ensureLocalChain({ rpcUrl: chain.target.rpcUrl, deploymentFile: chain.target.deploymentFile });
    out(
      `${deployed ? 'deployed' : 'found'} MNEE ${deployment.token.address} and the router ${deployment.router}; treasury ${deployment.treasury}`,
    );
  } else {
    out(
      chain.mode === 'mock'
        ? 'PAYMENT_MODE=mock: no chain, payments are recorded as MOCK'
        : `using the configured network at ${chain.target.rpcUrl}`,
    );
  }
  out(`building ${STACK.map((s) => s.project).join(', ')}...`);
  buildApps(STACK.map((s) => s.project));
  for (const service of STACK) launch(service, env);
  await Promise.all(STACK.map((s) => waitHealthy(`http://127.0.0.1:${env[s.portEnv] ?? s.port}/health`, 60_000, () => stopping)));
  const gateway = `http://127.0.0.1:${env['GATEWAY_PORT'] ?? '8000'}`;
  out('');
  out('MNEE Nexus is up.');
  for (const s of STACK) out(`  ${s.project.padEnd(13)} http://127.0.0.1:${env[s.portEnv] ?? s.port}`);
  out(`  keys: ${envPath} (ADMIN_API_KEY, AGENT_API_KEYS; INTERNAL_TOKEN guards the internal services)`);
  out(`  API docs: ${gateway}/docs`);
  out('');
  out('Ask user-agent for a price (the built-in planner needs no LLM key; the call is paid on chain):');
  out(`  KEY=$(grep ^AGENT_API_KEYS= .env | sed -E 's/.*user-agent:([^,]*).*/\\1/')`);
  out(`  curl -s -X POST ${gateway}/chat -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\`);
  out(`    -d '{"message":"What is the price of ETH?"}'`);
  out('');
  out('Or call a tool directly, without an LLM (a retry with the same Idempotency-Key pays once):');
  out(`  curl -s -X POST ${gateway}/tools/PRICE_ORACLE/invoke -H "Authorization: Bearer $KEY" \\`);
  out(`    -H "Idempotency-Key: demo-$RANDOM" -H 'Content-Type: application/json' -d '{"input":{"base":"ETH"}}'`);
  out('');
  out('Ctrl-C stops everything.');
}

main().catch((error: unknown) => {
  out(`start failed: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
