import { LOCAL_CHAIN_ID, MNEEToken__factory, connectRpc, readDeployment } from '@nexus/chain';
import { ConfigError, optionalPrivateKeys, requirePrivateKey, type ChainEnv } from '@nexus/config';
import type { Logger } from '@nexus/service-kit';
import { Wallet, getAddress } from 'ethers';
import { ChainSettler } from './chain/chain-settler';
import { createMockSettler } from './mock-settler';
import type { Settler } from './settler';

/** The chain settings resolved to addresses: from the local deployment file, or from the environment. */
async function resolveContracts(chain: ChainEnv) {
  const target = chain.target;
  if (target.kind === 'configured') {
    const provider = connectRpc(target.rpcUrl, target.chainId);
    // The token's symbol and decimals come from the token itself (the chain must answer at start-up).
    const token = MNEEToken__factory.connect(target.tokenAddress, provider);
    const [symbol, decimals] = await Promise.all([token.symbol(), token.decimals()]);
    return {
      provider,
      chainId: target.chainId,
      router: getAddress(target.routerAddress),
      token: { address: getAddress(target.tokenAddress), symbol, decimals: Number(decimals) },
      fromBlock: 0,
      treasury: undefined,
    };
  }
  const deployment = readDeployment(target.deploymentFile);
  if (!deployment) {
    throw new ConfigError([
      {
        source: target.deploymentFile,
        path: '',
        message:
          'no local chain deployment: run `npm run chain` first, or set MNEE_TOKEN_ADDRESS, PAYMENT_ROUTER_ADDRESS and CHAIN_ID for a real network',
      },
    ]);
  }
  const provider = connectRpc(target.rpcUrl, deployment.chainId);
  return {
    provider,
    chainId: deployment.chainId,
    router: deployment.router,
    token: deployment.token,
    fromBlock: deployment.blockNumber,
    treasury: deployment.treasury,
  };
}

/** Builds the settler PAYMENT_MODE asks for. Keys are read here and never logged. */
export async function buildSettler(chain: ChainEnv, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Settler> {
  if (chain.mode === 'mock') return createMockSettler();
  const contracts = await resolveContracts(chain);
  const treasury = new Wallet(requirePrivateKey('TREASURY_PRIVATE_KEY', env), contracts.provider);
  if (contracts.treasury && contracts.treasury !== treasury.address) {
    throw new ConfigError([
      {
        source: 'environment variable TREASURY_PRIVATE_KEY',
        path: '',
        message: `is not the key of the deployment's treasury ${contracts.treasury}`,
      },
    ]);
  }
  const payees = optionalPrivateKeys('PAYEE_PRIVATE_KEYS', env).map((key) => new Wallet(key, contracts.provider));
  if (payees.length > 0 && contracts.chainId !== LOCAL_CHAIN_ID)
    logger.warn('payee keys are configured on a real network: this service can sign refunds for those payees');
  logger.info('chain settlement ready', {
    chainId: contracts.chainId,
    router: contracts.router,
    token: contracts.token.address,
    treasury: treasury.address,
    payeeSigners: payees.length,
    confirmations: chain.confirmations,
  });
  return new ChainSettler({
    provider: contracts.provider,
    chainId: contracts.chainId,
    router: contracts.router,
    token: contracts.token,
    fromBlock: contracts.fromBlock,
    treasury,
    payees,
    confirmations: chain.confirmations,
    retry: chain.rpcRetry,
    receiptTimeoutMs: chain.receiptTimeoutMs,
    logger,
  });
}
