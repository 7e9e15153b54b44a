import { MaxUint256, parseUnits, type HDNodeWallet } from 'ethers';
import { MNEEPaymentRouter__factory, MNEEToken__factory } from '../generated';
import { localAccount } from '../local-accounts';
import { serviceIdToBytes32 } from '../payment-ref';
import type { TestChain } from './test-chain';

/** Hardhat account #5: not the treasury, not a payee. */
export const FRONT_RUNNER_ACCOUNT = 5;

/**
 * An account that is not the treasury, funded with `funding` MNEE by the
 * treasury and approving the router: it can pay through the router under
 * any reference it likes, ours included.
 */
export async function fundFrontRunner(chain: TestChain, funding = '10'): Promise<HDNodeWallet> {
  const account = localAccount(FRONT_RUNNER_ACCOUNT).connect(chain.provider);
  const token = MNEEToken__factory.connect(chain.deployment.token.address, chain.treasury);
  await (await token.transfer(account.address, parseUnits(funding, chain.deployment.token.decimals))).wait();
  await (await token.connect(account).approve(chain.deployment.router, MaxUint256)).wait();
  return account;
}

/** The front-runner pays `amount` token units to `payee` for `serviceId` under `paymentRef` (somebody else's reference); the receipt's hash. */
export async function payUnderRef(
  chain: TestChain,
  payer: HDNodeWallet,
  payment: { payee: string; serviceId: string; paymentRef: string; amount: bigint },
): Promise<string> {
  const router = MNEEPaymentRouter__factory.connect(chain.deployment.router, payer);
  const receipt = await (await router.pay(payment.payee, payment.amount, serviceIdToBytes32(payment.serviceId), payment.paymentRef)).wait();
  if (!receipt) throw new Error('no receipt for the front-run payment');
  return receipt.hash;
}
