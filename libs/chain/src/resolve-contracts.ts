import { getAddress, type JsonRpcProvider } from 'ethers';
import { connectRpc } from './connect';
import { readDeployment } from './deployment';
import { MNEEToken__factory } from './generated';
import { NexusError } from '@nexus/types';

/** Where the contracts are: a configured network (addresses given), or the local chain's deployment file. */
export type ContractsSource =
  | { kind: 'configured'; rpcUrl: string; chainId: number; tokenAddress: string; routerAddress: string; treasuryAddress?: string }
  | { kind: 'local'; rpcUrl: string; deploymentFile: string };

export interface ChainContracts {
  provider: JsonRpcProvider;
  chainId: number;
  router: string;
  token: { address: string; symbol: string; decimals: number };
  /** the first block worth searching for router events */
  fromBlock: number;
  /** the treasury: the local deployment's, or TREASURY_ADDRESS on a configured network (undefined when not set) */
  treasury: string | undefined;
}

/** The local chain was never deployed (or its file is gone). */
export class DeploymentMissingError extends NexusError {
  override readonly name = 'DeploymentMissingError';
  constructor(readonly path: string) {
    super(
      `no local chain deployment at ${path}: run \`npm run chain\` first, or set MNEE_TOKEN_ADDRESS, PAYMENT_ROUTER_ADDRESS and CHAIN_ID for a real network`,
    );
  }
}

/** Resolves the contracts to addresses and a connected provider; a configured token is asked for its symbol and decimals. */
export async function resolveContracts(source: ContractsSource): Promise<ChainContracts> {
  if (source.kind === 'configured') {
    const provider = connectRpc(source.rpcUrl, source.chainId);
    const token = MNEEToken__factory.connect(source.tokenAddress, provider);
    try {
      const [symbol, decimals] = await Promise.all([token.symbol(), token.decimals()]);
      return {
        provider,
        chainId: source.chainId,
        router: getAddress(source.routerAddress),
        token: { address: getAddress(source.tokenAddress), symbol, decimals: Number(decimals) },
        fromBlock: 0,
        treasury: source.treasuryAddress === undefined ? undefined : getAddress(source.treasuryAddress),
      };
    } catch (error) {
      provider.destroy();
      throw error;
    }
  }
  const deployment = readDeployment(source.deploymentFile);
  if (!deployment) throw new DeploymentMissingError(source.deploymentFile);
  return {
    provider: connectRpc(source.rpcUrl, deployment.chainId),
    chainId: deployment.chainId,
    router: deployment.router,
    token: deployment.token,
    fromBlock: deployment.blockNumber,
    treasury: deployment.treasury,
  };
}
