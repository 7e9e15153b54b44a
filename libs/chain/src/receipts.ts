import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider, TransactionReceipt } from 'ethers';
import { isConnectionRefused, isTransientRpcError } from './rpc-errors';
import { NexusError } from '@nexus/types';

export interface ReceiptWait {
  confirmations: number;
  timeoutMs: number;
  pollMs: number;
  /** a node that refuses every connection this long is down, not slow: the wait ends early (default 2 s) */
  refusedMs?: number;
}

/** No receipt with enough confirmations in time; `cause` is the last RPC error when the node was unreachable. */
export class ReceiptTimeoutError extends NexusError {
  override readonly name = 'ReceiptTimeoutError';
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
 * while waiting are ridden out until the deadline, but for a node that
 * refuses connections (it is down: a killed local node takes seconds to come
 * back, and may come back without the transaction), which ends the wait after
 * `refusedMs`, or as soon as it is back without the transaction, so the
 * caller answers "chain unavailable" instead of timing out its own caller;
 * anything else is thrown.
 */
export async function waitForReceipt(provider: Provider, hash: string, wait: ReceiptWait): Promise<TransactionReceipt> {
  const deadline = Date.now() + wait.timeoutMs;
  let lastError: unknown;
  let refusedSince: number | undefined;
  let wasDown = false;
  for (;;) {
    try {
      const receipt = await provider.getTransactionReceipt(hash);
      if (receipt && (await receipt.confirmations()) >= wait.confirmations) return receipt;
      // A node that was down came back without the transaction (restarted from a journal that missed it).
      if (!receipt && wasDown && !(await provider.getTransaction(hash))) throw new ReceiptTimeoutError(hash);
      lastError = undefined;
      refusedSince = undefined;
    } catch (error) {
      if (!isTransientRpcError(error)) throw error;
      lastError = error;
      refusedSince = isConnectionRefused(error) ? (refusedSince ?? Date.now()) : undefined;
      wasDown ||= refusedSince !== undefined;
    }
    const refusedTooLong = refusedSince !== undefined && Date.now() - refusedSince >= (wait.refusedMs ?? 2_000);
    if (Date.now() >= deadline || refusedTooLong) throw new ReceiptTimeoutError(hash, { cause: lastError });
    await sleep(wait.pollMs);
  }
}
