import { MNEEPaymentRouter__factory, revertReasonOf, serviceIdToBytes32, waitForReceipt, type ExpectedPayment } from '@nexus/chain';
import type { PaymentRecord } from '@nexus/stores';
import type { JsonRpcProvider, TransactionReceipt } from 'ethers';
import type { SettlementHooks } from '../settler';
import { neverReachedNode, type ChainSettler } from './chain-settler';
import { isChainUnavailable } from './chain-unavailable';
import type { GasLimits } from './gas-limits';
import { NexusError } from '@nexus/types';

/** One payment waiting in a batch, with its caller's hooks. */
export interface BatchMember {
  payment: PaymentRecord;
  expected: ExpectedPayment;
  hooks: SettlementHooks;
}

/** What sending one payBatch came to. */
export type BatchOutcome<M extends BatchMember> =
  /** mined and succeeded: every member's payment is in the receipt */
  | { kind: 'mined'; receipt: TransactionReceipt }
  /** the router refused it (at the estimate, or mined and reverted): nothing moved */
  | { kind: 'reverted'; message: string; usedRef?: string }
  /** some members' `onSubmitted` threw (a lost lease): nothing was broadcast */
  | { kind: 'refused'; refusals: Map<M, unknown> }
  /** anything else (the chain did not answer, no gas money); `broadcastUncertain` when it may have been sent */
  | { kind: 'error'; error: unknown; broadcastUncertain: boolean };

export interface BatchSendOptions {
  chain: ChainSettler;
  provider: JsonRpcProvider;
  router: string;
  treasury: string;
  gasLimits: GasLimits;
}

const routerInterface = MNEEPaymentRouter__factory.createInterface();

/** Mined and reverted (perhaps with the kept limit): the next batch of this size asks the node again. */
function revertedOnChain<M extends BatchMember>(gasLimits: GasLimits, count: number, txHash: string): BatchOutcome<M> {
  gasLimits.forget(count);
  return { kind: 'reverted', message: `batch transaction ${txHash} reverted` };
}

/** The status of a mined transaction; undefined when it is not mined or the node does not answer. */
async function statusOf(chain: ChainSettler, provider: JsonRpcProvider, txHash: string): Promise<number | null | undefined> {
  const receipt = await chain.retrying(() => provider.getTransactionReceipt(txHash)).catch(() => undefined);
  return receipt?.status;
}

/** Thrown from beforeBroadcast when members may not be sent: the batch is dropped before broadcast. */
class MembersRefusedError extends NexusError {
  override readonly name = 'MembersRefusedError';
}

/**
 * Sends the members in one payBatch from the treasury's own sender (the
 * same nonces and lock as single payments): the gas limit comes from the
 * kept estimate for this many payments (`fresh` asks the node again, so a
 * revert shows before anything is signed), every member's `onSubmitted`
 * records the one hash before broadcast, and the receipt is awaited.
 */
export async function sendBatch<M extends BatchMember>(
  options: BatchSendOptions,
  members: M[],
  { fresh }: { fresh: boolean },
): Promise<BatchOutcome<M>> {
  const { chain, provider, router, treasury, gasLimits } = options;
  const requests = members.map(({ expected }) => ({
    payee: expected.payee,
    amount: expected.amount,
    serviceId: serviceIdToBytes32(expected.serviceId),
    paymentRef: expected.paymentRef,
  }));
  const data = routerInterface.encodeFunctionData('payBatch', [requests]);
  const refusals = new Map<M, unknown>();
  let uncertain = 0;
  let signedHash: string | undefined;
  try {
    const gasLimit = await gasLimits.limitFor(
      members.length,
      () => chain.retrying(() => provider.estimateGas({ from: treasury, to: router, data })),
      { fresh },
    );
    const txHash = await chain.sender.send(
      { to: router, data, gasLimit },
      {
        beforeBroadcast: async (hash, signed) => {
          signedHash = hash;
          const recorded = await Promise.allSettled(members.map((member) => member.hooks.onSubmitted(hash, signed)));
          recorded.forEach((outcome, index) => {
            const member = members[index];
            if (outcome.status === 'rejected' && member) refusals.set(member, outcome.reason);
          });
          if (refusals.size > 0) throw new MembersRefusedError(`${refusals.size} of ${members.length} payments may not be sent`);
          uncertain += 1;
        },
        broadcastFailed: (_hash, error) => {
          if (neverReachedNode(error)) uncertain -= 1;
        },
      },
    );
    const receipt = await waitForReceipt(provider, txHash, chain.receiptWait());
    if (receipt.status === 1) return { kind: 'mined', receipt };
    return revertedOnChain(gasLimits, members.length, txHash);
  } catch (error) {
    if (refusals.size > 0) return { kind: 'refused', refusals };
    // A node that mines on send (Hardhat) answers a reverted transaction with an error: its receipt tells.
    if (signedHash && !isChainUnavailable(error) && (await statusOf(chain, provider, signedHash)) === 0)
      return revertedOnChain(gasLimits, members.length, signedHash);
    const revert = revertReasonOf(error);
    if (revert?.name === 'PaymentRefAlreadyUsed')
      return { kind: 'reverted', message: 'the router refused a reference as already used', usedRef: revert.args[1] };
    if (revert) return { kind: 'reverted', message: `the router refused the batch: ${revert.name}` };
    return { kind: 'error', error, broadcastUncertain: uncertain > 0 };
  }
}
