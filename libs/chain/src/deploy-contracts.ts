import { MaxUint256, type Signer } from 'ethers';
import { MNEEPaymentRouter__factory, MNEEToken__factory } from './generated';

export interface LocalContracts {
  token: string;
  router: string;
  blockNumber: number;
}

export interface TokenSpec {
  name: string;
  symbol: string;
  decimals: number;
}

export const LOCAL_TOKEN: TokenSpec = { name: 'MNEE (local)', symbol: 'MNEE', decimals: 18 };

/** Deploys the MNEE stand-in and the payment router from `deployer` (local and test chains only). */
export async function deployContracts(deployer: Signer, token: TokenSpec = LOCAL_TOKEN): Promise<LocalContracts> {
  const tokenContract = await new MNEEToken__factory(deployer).deploy(token.name, token.symbol, token.decimals);
  await tokenContract.waitForDeployment();
  const routerContract = await new MNEEPaymentRouter__factory(deployer).deploy(await tokenContract.getAddress());
  const receipt = await routerContract.deploymentTransaction()?.wait();
  return {
    token: await tokenContract.getAddress(),
    router: await routerContract.getAddress(),
    blockNumber: receipt?.blockNumber ?? 0,
  };
}

/** Mints `amount` token units to `treasury` (the deployer must own the token). */
export async function mintTo(deployer: Signer, token: string, treasury: string, amount: bigint): Promise<void> {
  await (await MNEEToken__factory.connect(token, deployer).mint(treasury, amount)).wait();
}

/** `owner` lets the router move its MNEE: the treasury to pay, a payee to refund. */
export async function approveRouter(owner: Signer, token: string, router: string): Promise<void> {
  await (await MNEEToken__factory.connect(token, owner).approve(router, MaxUint256)).wait();
}
