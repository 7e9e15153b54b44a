import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider, TransactionReceipt } from 'ethers';
import { isTransientRpcError } from './rpc-errors';

export interface ReceiptWait {
  confirmations: number;
  timeoutMs: number;
  pollMs: number;
}

/** No receipt with enough confirmations in time; `cause` is the last RPC error when the node was unreachable. */
export class ReceiptTimeoutError extends Error {
  readonly code = 'RECEIPT_TIMEOUT';
  constructor(
    readonly txHash: string,
    options?: { cause?: unknown },
  ) {
    super(`no confirmed receipt for ${txHash} in time`, options);
  }
}

/**
 * Polls for the receipt of `hash` until it has `confirmations`. RPC outages
 * while waiting are ridden out until the deadline; anything else is thrown.
 */
export async function waitForReceipt(provider: Provider, hash: string, wait: ReceiptWait): Promise<TransactionReceipt> {
  const deadline = Date.now() + wait.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const receipt = await provider.getTransactionReceipt(hash);
      if (receipt && (await receipt.confirmations()) >= wait.confirmations) return receipt;
      lastError = undefined;
    } catch (error) {
      if (!isTransientRpcError(error)) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) throw new ReceiptTimeoutError(hash, { cause: lastError });
    await sleep(wait.pollMs);
  }
}
