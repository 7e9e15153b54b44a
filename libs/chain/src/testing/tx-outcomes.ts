import type { ContractTransactionResponse, TransactionReceipt } from 'ethers';
import { revertReasonOf } from '../rpc-errors';

/** The mined receipt of a contract call sent in a test. */
export async function receiptOf(sent: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await sent).wait();
  if (!receipt) throw new Error('no receipt');
  return receipt;
}

/** The decoded revert of a call that must revert (the contracts' custom errors, or a reason string). */
export async function revertOf(attempt: Promise<unknown>): Promise<ReturnType<typeof revertReasonOf>> {
  try {
    await attempt;
  } catch (error) {
    return revertReasonOf(error);
  }
  throw new Error('expected a revert');
}
