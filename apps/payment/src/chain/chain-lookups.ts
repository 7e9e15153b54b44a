import {
  MNEEPaymentRouter__factory,
  addressTopic,
  decodeRouterEvents,
  isExpectedPayment,
  isExpectedRefund,
  routerEventTopics,
  type ExpectedPayment,
} from '@nexus/chain';
import { ZeroAddress, type Log, type Provider } from 'ethers';

export interface FoundSettlement {
  txHash: string;
  blockNumber: number;
  gasUsed: bigint;
}

/** Router events of one kind for a reference, from one payer only: a reference is only unique per payer. */
function logsOf(provider: Provider, router: string, topic: string, expected: ExpectedPayment, fromBlock: number): Promise<Log[]> {
  return provider.getLogs({
    address: router,
    topics: [topic, expected.paymentRef, addressTopic(expected.payer)],
    fromBlock,
    toBlock: 'latest',
  });
}

/**
 * Where the router recorded our payment of `expected.paymentRef`, or
 * undefined when it was never paid. Only a PaymentMade from our payer, to
 * the payee, for the service and of exactly the amount counts: another
 * account's payment under the same reference is not ours.
 */
export async function findSettlement(
  provider: Provider,
  router: string,
  expected: ExpectedPayment,
  fromBlock: number,
): Promise<FoundSettlement | undefined> {
  const recorded = await MNEEPaymentRouter__factory.connect(router, provider).paymentOf(expected.payer, expected.paymentRef);
  if (recorded.payer === ZeroAddress) return undefined;
  const logs = await logsOf(provider, router, routerEventTopics.paymentMade, expected, fromBlock);
  const log = logs.find((candidate) =>
    decodeRouterEvents([candidate], router).payments.some((event) => isExpectedPayment(event, expected)),
  );
  if (!log) return undefined;
  const receipt = await provider.getTransactionReceipt(log.transactionHash);
  return { txHash: log.transactionHash, blockNumber: log.blockNumber, gasUsed: receipt?.gasUsed ?? 0n };
}

/** The hash of the transaction that refunded our payment `expected.paymentRef` (same payer, payee and amount), or undefined. */
export async function findRefund(
  provider: Provider,
  router: string,
  expected: ExpectedPayment,
  fromBlock: number,
): Promise<string | undefined> {
  const recorded = await MNEEPaymentRouter__factory.connect(router, provider).paymentOf(expected.payer, expected.paymentRef);
  if (!recorded.refunded) return undefined;
  const logs = await logsOf(provider, router, routerEventTopics.paymentRefunded, expected, fromBlock);
  const log = logs.find((candidate) => decodeRouterEvents([candidate], router).refunds.some((event) => isExpectedRefund(event, expected)));
  return log?.transactionHash;
}
