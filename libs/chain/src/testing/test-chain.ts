import { parseUnits, type JsonRpcProvider, type HDNodeWallet } from 'ethers';
import { connectRpc } from '../connect';
import { approveRouter, deployContracts, LOCAL_TOKEN, mintTo } from '../deploy-contracts';
import type { Deployment } from '../deployment';
import { startHardhatNode, type HardhatNode } from '../hardhat-node';
import { LOCAL_CHAIN_ID, localAccount } from '../local-accounts';
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
    const treasury = localAccount(0).connect(provider);
    const payees = [1, 2, 3, 4].map((index) => localAccount(index).connect(provider));
    const contracts = await deployContracts(treasury);
    await mintTo(treasury, contracts.token, treasury.address, parseUnits('1000', LOCAL_TOKEN.decimals));
    for (const owner of [treasury, ...payees]) await approveRouter(owner, contracts.token, contracts.router);
    const deployment: Deployment = {
      chainId: LOCAL_CHAIN_ID,
      rpcUrl: node.url,
      token: { address: contracts.token, ...LOCAL_TOKEN },
      router: contracts.router,
      treasury: treasury.address,
      deployer: treasury.address,
      blockNumber: contracts.blockNumber,
      deployedAt: new Date().toISOString(),
    };
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
