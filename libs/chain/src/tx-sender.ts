import { Mutex } from 'async-mutex';
import { NonceManager, Transaction, type BaseWallet, type TransactionRequest, type TypedDataDomain, type TypedDataField } from 'ethers';
import { isNonceTooHigh, isNonceTooLow } from './rpc-errors';
import { withRpcRetry, type RetryPolicy } from './retry';

/**
 * Sends transactions from one wallet: one NonceManager per signer, one send
 * at a time (so nonces never collide), receipts awaited by the caller
 * outside the lock so sends pipeline.
 *
 * Each send is populated (gas estimated: a revert shows up here, before
 * anything is sent), signed, its hash handed to `beforeBroadcast` (so the
 * caller can record it durably), then broadcast; `broadcastFailed` hears of
 * a broadcast that threw (it may or may not have reached the node). Transient
 * RPC errors and a stale nonce are retried with backoff.
 */
export interface SendHooks {
  /** `signed` carries the nonce and the raw signed transaction, so the caller can tell later whether it can still land, or send it again. */
  beforeBroadcast?(hash: string, signed: { nonce: number; raw: string }): Promise<void>;
  broadcastFailed?(hash: string, error: unknown): void;
}

export class TxSender {
  private readonly nonces: NonceManager;
  private readonly lock = new Mutex();

  constructor(
    private readonly wallet: BaseWallet,
    private readonly retry: RetryPolicy,
  ) {
    this.nonces = new NonceManager(wallet);
  }

  get address(): string {
    return this.wallet.address;
  }

  /**
   * Signs EIP-712 typed data with the wallet (an ERC-3009 authorization, its
   * cancel): the key never leaves this sender. No nonce, no lock: nothing is
   * sent. `EIP712Domain` among the types is dropped (ethers derives it).
   */
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string> {
    const fields = Object.fromEntries(Object.entries(types).filter(([name]) => name !== 'EIP712Domain'));
    return this.wallet.signTypedData(domain, fields, value);
  }

  send(request: TransactionRequest, hooks: SendHooks = {}): Promise<string> {
    return this.lock.runExclusive(() => withRpcRetry(() => this.sendOnce(request, hooks), this.retry));
  }

  private async sendOnce(request: TransactionRequest, hooks: SendHooks): Promise<string> {
    const provider = this.wallet.provider;
    if (!provider) throw new Error('the wallet has no provider');
    try {
      const nonce = await this.nonces.getNonce('pending');
      const populated = await this.wallet.populateTransaction({ ...request, nonce });
      const raw = await this.wallet.signTransaction(populated);
      const hash = Transaction.from(raw).hash;
      if (!hash) throw new Error('signed transaction has no hash');
      await hooks.beforeBroadcast?.(hash, { nonce, raw });
      await provider.broadcastTransaction(raw).catch((error: unknown) => {
        hooks.broadcastFailed?.(hash, error);
        throw error;
      });
      this.nonces.increment();
      return hash;
    } catch (error) {
      // The next send re-reads the nonce from the node; a stale one is retried.
      this.nonces.reset();
      if (isNonceTooLow(error)) throw Object.assign(new Error('nonce too low'), { code: 'NONCE_EXPIRED', cause: error });
      // The node forgot transactions of ours (restarted from its journal): sent again from its nonce.
      if (isNonceTooHigh(error)) throw Object.assign(new Error('nonce too high'), { code: 'NONCE_EXPIRED', cause: error });
      throw error;
    }
  }
}
