import { MNEEPaymentRouter__factory, routerEventTopics } from '@nexus/chain';
import { ZeroAddress, type Provider } from 'ethers';

/** Where the router recorded the payment of `ref`, or undefined when it was never paid. */
export async function findSettlement(
  provider: Provider,
  router: string,
  ref: string,
  fromBlock: number,
): Promise<{ txHash: string; blockNumber: number; gasUsed: bigint } | undefined> {
  const recorded = await MNEEPaymentRouter__factory.connect(router, provider).paymentOf(ref);
  if (recorded.payer === ZeroAddress) return undefined;
  const [log] = await provider.getLogs({ address: router, topics: [routerEventTopics.paymentMade, ref], fromBlock, toBlock: 'latest' });
  if (!log) return undefined;
  const receipt = await provider.getTransactionReceipt(log.transactionHash);
  return { txHash: log.transactionHash, blockNumber: log.blockNumber, gasUsed: receipt?.gasUsed ?? 0n };
}

/** The hash of the transaction that refunded `ref`, or undefined when it is not refunded. */
export async function findRefund(provider: Provider, router: string, ref: string, fromBlock: number): Promise<string | undefined> {
  const recorded = await MNEEPaymentRouter__factory.connect(router, provider).paymentOf(ref);
  if (!recorded.refunded) return undefined;
  const [log] = await provider.getLogs({ address: router, topics: [routerEventTopics.paymentRefunded, ref], fromBlock, toBlock: 'latest' });
  return log?.transactionHash;
}
