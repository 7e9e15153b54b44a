import { JsonRpcProvider, Network } from 'ethers';

/**
 * A JSON-RPC provider on a known chain: no network auto-detection (which
 * retries forever when the node is down), no request batching (which adds
 * latency on a local node), no 250 ms response cache (which serves a stale
 * nonce to back-to-back sends).
 */
export function connectRpc(rpcUrl: string, chainId: number): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, chainId, {
    staticNetwork: Network.from(chainId),
    batchMaxCount: 1,
    cacheTimeout: -1,
    pollingInterval: 500,
  });
}
