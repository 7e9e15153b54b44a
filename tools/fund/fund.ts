import { getAddress } from 'ethers';
import {
  connectRpc,
  LOCAL_CHAIN_ID,
  LOCAL_TREASURY_ACCOUNT,
  localAccount,
  MNEEToken__factory,
  readDeployment,
  rpcChainId,
  toTokenUnits,
} from '@nexus/chain';
import { NexusError } from '@nexus/types';

export interface FundOptions {
  /** the local node (CHAIN_RPC_URL) */
  rpcUrl: string;
  /** the local deployment (CHAIN_DEPLOYMENT_FILE), written by npm run chain */
  deploymentFile: string;
  to: string;
  /** base units of 10^-6 MNEE */
  baseUnits: bigint;
}

export interface Funded {
  token: string;
  to: string;
  /** token units minted */
  minted: bigint;
  /** the wallet's token balance after, in token units */
  balance: bigint;
  decimals: number;
  txHash: string;
}

/** Refused before anything is sent; the message says why and what to do. */
export class FundRefusedError extends NexusError {
  override readonly name = 'FundRefusedError';
}

/**
 * Mints stand-in MNEE to `to` on the local chain, signed by the local
 * deployer (Hardhat account #0, whose key is public). Refuses any node that
 * is not chain 31337, and a deployment that is missing, of another chain, or
 * not live on the node, before sending anything.
 */
export async function fundWallet({ rpcUrl, deploymentFile, to, baseUnits }: FundOptions): Promise<Funded> {
  const chainId = await rpcChainId(rpcUrl);
  if (chainId === undefined) throw new FundRefusedError(`nothing answers JSON-RPC at ${rpcUrl}: start the local chain with npm run chain`);
  if (chainId !== LOCAL_CHAIN_ID) {
    throw new FundRefusedError(
      `${rpcUrl} is chain ${chainId}, not the local chain (${LOCAL_CHAIN_ID}): npm run fund only mints the stand-in MNEE of the local chain, never on a real network`,
    );
  }
  const deployment = readDeployment(deploymentFile);
  if (!deployment) throw new FundRefusedError(`no local deployment at ${deploymentFile}: run npm run chain first`);
  if (deployment.chainId !== LOCAL_CHAIN_ID) {
    throw new FundRefusedError(`${deploymentFile} records chain ${deployment.chainId}, not the local chain (${LOCAL_CHAIN_ID})`);
  }
  const provider = connectRpc(rpcUrl, LOCAL_CHAIN_ID);
  try {
    const deployer = localAccount(LOCAL_TREASURY_ACCOUNT).connect(provider);
    if (getAddress(deployment.deployer) !== deployer.address) {
      throw new FundRefusedError(
        `${deploymentFile} was deployed by ${deployment.deployer}, not by the local deployer (Hardhat account #${LOCAL_TREASURY_ACCOUNT})`,
      );
    }
    if ((await provider.getCode(deployment.token.address)) === '0x') {
      throw new FundRefusedError(
        `no token contract at ${deployment.token.address} on ${rpcUrl}: ${deploymentFile} is stale, run npm run chain`,
      );
    }
    const token = MNEEToken__factory.connect(deployment.token.address, deployer);
    const decimals = Number(await token.decimals());
    const minted = toTokenUnits(baseUnits, decimals);
    const sent = await token.mint(to, minted);
    const receipt = await sent.wait();
    if (!receipt) throw new Error(`no receipt for the mint ${sent.hash}`);
    return { token: deployment.token.address, to, minted, balance: await token.balanceOf(to), decimals, txHash: receipt.hash };
  } finally {
    provider.destroy();
  }
}
