/**
 * The local chain: a Hardhat node (chainId 31337) with the
 * MNEE stand-in and the payment router deployed from Hardhat account #0, which
 * is also the treasury, funded and approving the router, as are the providers'
 * payees (accounts #1–#4), so they can refund; and Permit2 with the x402
 * exact Permit2 proxy at their canonical addresses. Never a real network.
 */
import { rmSync } from 'node:fs';
import { getAddress, type JsonRpcProvider } from 'ethers';
import {
  connectRpc,
  deployLocalChain,
  LOCAL_CHAIN_ID,
  LOCAL_PAYEE_ACCOUNTS,
  LOCAL_TOKEN,
  LOCAL_TREASURY_ACCOUNT,
  MNEEPaymentRouter__factory,
  PERMIT2_ADDRESS,
  placePermit2,
  readDeployment,
  rpcChainId,
  writeDeployment,
  writePermit2Placement,
  type Deployment,
} from '@nexus/chain';

/** MNEE minted to the treasury on each fresh deployment. */
export const TREASURY_FUNDING = '1000000';

export interface EnsureLocalChainOptions {
  /** a node that answers JSON-RPC */
  rpcUrl: string;
  /** where the deployment is recorded (CHAIN_DEPLOYMENT_FILE) */
  deploymentFile: string;
  log?: (line: string) => void;
}

export interface LocalChain {
  deployment: Deployment;
  /** false when the recorded deployment was live on the node and nothing was sent */
  deployed: boolean;
}

/**
 * Makes sure the node at `rpcUrl` has the contracts of `deploymentFile`:
 * keeps a recorded deployment whose contracts are on the node, otherwise
 * deploys, funds and approves afresh and records it. Refuses any chain but
 * the local one. A node started by startLocalNodeUnlessRunning replays its
 * journal first, so a recorded deployment stays live across restarts.
 */
export async function ensureLocalChain({ rpcUrl, deploymentFile, log = () => undefined }: EnsureLocalChainOptions): Promise<LocalChain> {
  const chainId = await rpcChainId(rpcUrl);
  if (chainId === undefined) throw new Error(`nothing answers JSON-RPC at ${rpcUrl}`);
  if (chainId !== LOCAL_CHAIN_ID) {
    throw new Error(
      `${rpcUrl} is chain ${chainId}, not the local chain (${LOCAL_CHAIN_ID}); nothing is ever deployed to a real network ` +
        '(for one, set CHAIN_ID, MNEE_TOKEN_ADDRESS and PAYMENT_ROUTER_ADDRESS instead)',
    );
  }
  const recorded = readRecorded(deploymentFile);
  const provider = connectRpc(rpcUrl, LOCAL_CHAIN_ID);
  try {
    if (recorded) {
      const stale = await whyStale(provider, recorded);
      if (stale === undefined) {
        // setCode is no transaction: a node that replayed a journal older than them lacks them until placed again
        const placedAfter = await placePermit2(provider);
        if (placedAfter !== undefined) writePermit2Placement(deploymentFile, placedAfter);
        log(`Permit2 and the x402 exact Permit2 proxy are at their canonical addresses (Permit2 ${PERMIT2_ADDRESS})`);
        log(`contracts of ${deploymentFile} are live at ${rpcUrl}; nothing new to deploy`);
        return { deployment: recorded, deployed: false };
      }
      log(`${deploymentFile} is stale (${stale}); deploying afresh`);
      // No reader may take the stale addresses for the ones being deployed.
      rmSync(deploymentFile, { force: true });
    }
    return { deployment: await deploy(provider, rpcUrl, deploymentFile, log), deployed: true };
  } finally {
    provider.destroy();
  }
}

function readRecorded(path: string): Deployment | undefined {
  try {
    return readDeployment(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const named = message.includes(path) ? message : `${path} is not a valid deployment file: ${message}`;
    throw new Error(`${named} (delete it to deploy afresh)`, { cause: error });
  }
}

/** Why the recorded deployment cannot be used on this node, or undefined when it can. */
async function whyStale(provider: JsonRpcProvider, recorded: Deployment): Promise<string | undefined> {
  if (recorded.chainId !== LOCAL_CHAIN_ID) return `it is for chain ${recorded.chainId}`;
  for (const [what, address] of [
    ['token', recorded.token.address],
    ['router', recorded.router],
  ] as const) {
    if ((await provider.getCode(address)) === '0x') return `no ${what} contract at ${address} on this node`;
  }
  const routerToken = getAddress(await MNEEPaymentRouter__factory.connect(recorded.router, provider).token());
  if (routerToken !== recorded.token.address) return `the router at ${recorded.router} pays in ${routerToken}, not the recorded token`;
  return undefined;
}

async function deploy(provider: JsonRpcProvider, rpcUrl: string, deploymentFile: string, log: (line: string) => void): Promise<Deployment> {
  log(`deploying the MNEE token and the payment router to ${rpcUrl} from Hardhat account #${LOCAL_TREASURY_ACCOUNT}`);
  const deployment = await deployLocalChain(provider, rpcUrl, TREASURY_FUNDING, (afterBlock) =>
    writePermit2Placement(deploymentFile, afterBlock),
  );
  log(`minted ${TREASURY_FUNDING} ${LOCAL_TOKEN.symbol} to the treasury ${deployment.treasury}`);
  log(`the treasury and the payees (Hardhat accounts #${LOCAL_PAYEE_ACCOUNTS.join(', #')}) approve the router`);
  log(`placed Permit2 (${PERMIT2_ADDRESS}) and the x402 exact Permit2 proxy at their canonical addresses`);
  writeDeployment(deploymentFile, deployment);
  log(`wrote ${deploymentFile}`);
  return deployment;
}
