import { join } from 'node:path';
import { parseUnits } from 'ethers';
import { connectRpc, LOCAL_CHAIN_ID, LOCAL_TOKEN, MNEEToken__factory, readDeployment } from '@nexus/chain';

/**
 * MNEE balances read straight from the node (not through any service of the
 * stack), in the token's base units, for the treasury and the given payees.
 */
export async function chainBalances(rpcUrl: string, dataDir: string, payees: readonly string[]): Promise<Map<string, bigint>> {
  const file = join(dataDir, 'chain', 'deployment.json');
  const deployment = readDeployment(file);
  if (!deployment) throw new Error(`no deployment recorded in ${file}`);
  const provider = connectRpc(rpcUrl, LOCAL_CHAIN_ID);
  try {
    const token = MNEEToken__factory.connect(deployment.token.address, provider);
    const balances = new Map<string, bigint>();
    for (const address of [deployment.treasury, ...payees]) balances.set(address.toLowerCase(), await token.balanceOf(address));
    balances.set('treasury', balances.get(deployment.treasury.toLowerCase()) ?? 0n);
    return balances;
  } finally {
    provider.destroy();
  }
}

/** An API amount ("0.05") in the token's base units (the local MNEE's decimals). */
export const onChainUnits = (amount: string) => parseUnits(amount, LOCAL_TOKEN.decimals);

/** Whether the node has a successful receipt for `txHash`. */
export async function minedSuccessfully(rpcUrl: string, txHash: string): Promise<boolean> {
  const provider = connectRpc(rpcUrl, LOCAL_CHAIN_ID);
  try {
    return (await provider.getTransactionReceipt(txHash))?.status === 1;
  } finally {
    provider.destroy();
  }
}
