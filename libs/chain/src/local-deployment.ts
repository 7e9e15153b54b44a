import { parseUnits, type JsonRpcProvider } from 'ethers';
import { approveRouter, deployContracts, LOCAL_TOKEN, mintTo } from './deploy-contracts';
import type { Deployment } from './deployment';
import { LOCAL_CHAIN_ID, LOCAL_PAYEE_ACCOUNTS, LOCAL_TREASURY_ACCOUNT, localAccount } from './local-accounts';
import { placePermit2 } from './permit2';

/**
 * Deploys the local chain's contracts from the treasury account, mints
 * `funding` MNEE (a decimal string) to it, and has the treasury and the
 * payees approve the router (to pay, and to refund). Places the Permit2
 * stand-in and the x402 exact Permit2 proxy at their canonical addresses
 * (the Permit2 path of x402's `exact` scheme). Local chains only.
 */
export async function deployLocalChain(
  provider: JsonRpcProvider,
  rpcUrl: string,
  funding: string,
  /** told the latest block when Permit2's code was placed (a journaled node records it for its replay) */
  onPermit2Placed: (afterBlock: number) => void = () => undefined,
): Promise<Deployment> {
  const treasury = localAccount(LOCAL_TREASURY_ACCOUNT).connect(provider);
  const payees = LOCAL_PAYEE_ACCOUNTS.map((index) => localAccount(index).connect(provider));
  const contracts = await deployContracts(treasury);
  await mintTo(treasury, contracts.token, treasury.address, parseUnits(funding, LOCAL_TOKEN.decimals));
  for (const owner of [treasury, ...payees]) await approveRouter(owner, contracts.token, contracts.router);
  const placedAfter = await placePermit2(provider);
  if (placedAfter !== undefined) onPermit2Placed(placedAfter);
  return {
    chainId: LOCAL_CHAIN_ID,
    rpcUrl,
    token: { address: contracts.token, ...LOCAL_TOKEN },
    router: contracts.router,
    treasury: treasury.address,
    deployer: treasury.address,
    blockNumber: contracts.blockNumber,
    deployedAt: new Date().toISOString(),
  };
}
