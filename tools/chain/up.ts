/**
 * `npm run chain`: the local chain. Starts a Hardhat node at CHAIN_RPC_URL
 * when nothing answers there, makes sure the contracts are deployed (see
 * ensureLocalChain), prints the addresses and keeps the node in the
 * foreground until Ctrl-C. When a node already runs, it only makes sure of
 * the deployment and exits. A node it starts journals its blocks beside the
 * deployment file and replays them on the next start (see local-node.ts).
 *
 * Settings come from the environment and the .env file (NEXUS_ENV_FILE, or
 * .env at the repository root), which is read but never written: the chain
 * needs no secrets. CHAIN_LISTEN_HOST binds the node elsewhere than the host
 * of CHAIN_RPC_URL (0.0.0.0 in the docker image).
 */
import { resolve } from 'node:path';
import { LOCAL_TREASURY_ACCOUNT, PERMIT2_ADDRESS, X402_EXACT_PERMIT2_PROXY_ADDRESS } from '@nexus/chain';
import { loadChainEnv } from '@nexus/config';
import { workspaceRoot } from '../stack/build';
import { loadEnvFile } from '../stack/env-file';
import { ensureLocalChain, TREASURY_FUNDING } from './local-chain';
import { startLocalNodeUnlessRunning, withoutKeys, type LocalNode } from './local-node';

const out = (line: string) => process.stdout.write(`${line}\n`);

let starting: Promise<LocalNode | undefined> = Promise.resolve(undefined);
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const node = await starting.catch(() => undefined);
  if (node) {
    await node.stop();
    out('local chain stopped');
  }
  process.exit(code);
}

async function main(): Promise<void> {
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(workspaceRoot, '.env'));
  const { env } = loadEnvFile(envPath, process.env, { create: false });
  const chain = loadChainEnv(env['NEXUS_DATA_DIR'] || 'data', env);
  if (chain.target.kind !== 'local') {
    throw new Error(
      'CHAIN_ID, MNEE_TOKEN_ADDRESS and PAYMENT_ROUTER_ADDRESS are set: the services use that network, and nothing is deployed to it. ' +
        'Unset them to use the local chain.',
    );
  }
  if (chain.mode === 'mock') out('note: PAYMENT_MODE=mock, so the services will not use this chain');
  const { rpcUrl, deploymentFile } = chain.target;

  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  starting = startLocalNodeUnlessRunning({ rpcUrl, listenHost: env['CHAIN_LISTEN_HOST'] || undefined, deploymentFile, log: out });
  const node = await starting;
  if (stopping) return;
  if (node) {
    out(`started a Hardhat node (chain 31337) listening on ${node.url}`);
    node.node.process.once('exit', (code, signal) => {
      if (stopping) return;
      out(`the Hardhat node exited (${signal ?? `code ${code}`})`);
      void stop(signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1);
    });
  } else {
    out(`a node already answers at ${rpcUrl}; leaving it running`);
  }

  const { deployment, deployed } = await ensureLocalChain({ rpcUrl, deploymentFile, log: out });
  out('');
  out(`local chain ready at ${rpcUrl} (chain ${deployment.chainId})${deployed ? '' : ': nothing new'}`);
  out(`  MNEE token       ${deployment.token.address}`);
  out(`  payment router   ${deployment.router}`);
  out(`  Permit2          ${PERMIT2_ADDRESS} (stand-in, placed with hardhat_setCode)`);
  out(`  x402 proxy       ${X402_EXACT_PERMIT2_PROXY_ADDRESS} (x402 exact Permit2 proxy stand-in)`);
  out(
    `  treasury         ${deployment.treasury} (Hardhat account #${LOCAL_TREASURY_ACCOUNT}, funded with ${TREASURY_FUNDING} MNEE at deployment)`,
  );
  out(`  deployment file  ${deploymentFile}`);
  if (!node) process.exit(0);
  out('');
  out(`Ctrl-C stops the node. Its blocks are journaled to ${node.journalFile} and replayed by the next start.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`chain failed: ${withoutKeys(error instanceof Error ? error.message : String(error))}\n`);
  void stop(1);
});
