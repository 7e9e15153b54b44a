import type { HDNodeWallet, JsonRpcProvider } from 'ethers';
import { connectRpc } from '../connect';
import type { Deployment } from '../deployment';
import { startHardhatNode, type HardhatNode } from '../hardhat-node';
import { LOCAL_CHAIN_ID, LOCAL_PAYEE_ACCOUNTS, LOCAL_TREASURY_ACCOUNT, localAccount } from '../local-accounts';
import { deployLocalChain } from '../local-deployment';
import { freePort } from './free-port';

export interface TestChain {
  node: HardhatNode;
  provider: JsonRpcProvider;
  deployment: Deployment;
  /** account #0: deployer and treasury, funded with 1,000 MNEE and approving the router */
  treasury: HDNodeWallet;
  /** accounts #1–#4, each approving the router (so they can refund) */
  payees: HDNodeWallet[];
  /** account #9: holds nothing, approves nothing */
  stranger: HDNodeWallet;
  stop(): Promise<void>;
}

/** A real Hardhat node on a free port with the contracts deployed, for tests; stop() it after. */
export async function startTestChain(): Promise<TestChain> {
  const node = await startHardhatNode({ port: await freePort() });
  const provider = connectRpc(node.url, LOCAL_CHAIN_ID);
  try {
    const deployment = await deployLocalChain(provider, node.url, '1000');
    const treasury = localAccount(LOCAL_TREASURY_ACCOUNT).connect(provider);
    const payees = LOCAL_PAYEE_ACCOUNTS.map((index) => localAccount(index).connect(provider));
    const stop = async () => {
      provider.destroy();
      await node.stop();
    };
    return { node, provider, deployment, treasury, payees, stranger: localAccount(9).connect(provider), stop };
  } catch (error) {
    provider.destroy();
    await node.stop();
    throw error;
  }
}
