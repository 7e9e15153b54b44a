import {
  MNEEPaymentRouter__factory,
  MNEEToken__factory,
  ReceiptTimeoutError,
  TxSender,
  checkPaymentOnChain,
  decodeRouterEvents,
  fromTokenUnits,
  isConnectionRefused,
  isInsufficientFunds,
  isNonceTooLow,
  isTransientRpcError,
  revertReasonOf,
  serviceIdToBytes32,
  toTokenUnits,
  waitForReceipt,
  withRpcRetry,
  type RetryPolicy,
} from '@nexus/chain';
import { describeError, type Logger } from '@nexus/service-kit';
import type { PaymentRecord } from '@nexus/stores';
import { MaxUint256, getAddress, type JsonRpcProvider, type Wallet } from 'ethers';
import type { ChainCheck, RefundResult, SettleResult, Settler, SettlementHooks, TreasuryState } from '../settler';
import { findRefund, findSettlement } from './chain-lookups';
import type { DurableBlocks } from './durable-blocks';
import { ChainUnavailableError, isChainUnavailable } from './chain-unavailable';

export interface ChainSettlerOptions {
  provider: JsonRpcProvider;
  chainId: number;
  router: string;
  token: { address: string; symbol: string; decimals: number };
  /** first block worth searching for router events */
  fromBlock: number;
  treasury: Wallet;
  /** payees whose keys this service holds, so it can sign their refunds (local stacks) */
  payees: Wallet[];
  confirmations: number;
  retry: RetryPolicy;
  receiptTimeoutMs: number;
  receiptPollMs?: number;
  logger: Logger;
  /** local journaled node: a payment is settled only once its block is in the journal */
  durableBlocks?: DurableBlocks | undefined;
}

const routerInterface = MNEEPaymentRouter__factory.createInterface();

/**
 * Settles payments through MNEEPaymentRouter from the treasury wallet: one
 * sender (NonceManager + lock) per signer, retries with backoff on transient
 * RPC errors, a FAILED with the decoded reason on reverts, and the chain as
 * the judge of whether a reference was already paid.
 */
export class ChainSettler implements Settler {
  readonly mode = 'chain' as const;
  private readonly sender: TxSender;
  private readonly payeeSenders: Map<string, TxSender>;

  constructor(private readonly options: ChainSettlerOptions) {
    this.sender = new TxSender(options.treasury, options.retry);
    this.payeeSenders = new Map(options.payees.map((wallet) => [wallet.address, new TxSender(wallet, options.retry)]));
  }

  async settle(payment: PaymentRecord, hooks: SettlementHooks): Promise<SettleResult> {
    const result = await this.settleOnChain(payment, hooks);
    return this.options.durableBlocks ? this.options.durableBlocks.settled(result) : result;
  }

  private async settleOnChain(payment: PaymentRecord, hooks: SettlementHooks): Promise<SettleResult> {
    const ref = this.refOf(payment);
    // Broadcasts that may have reached the node: a refused connection or a refusal by the node does not count.
    let uncertain = 0;
    try {
      // A previous attempt may have landed: the chain knows, by reference.
      if (payment.attempts > 1 || payment.txHash) {
        const found = await this.retrying(() => findSettlement(this.options.provider, this.options.router, ref, this.options.fromBlock));
        if (found) return { kind: 'settled', ...found };
      }
      const amount = toTokenUnits(payment.amount, this.options.token.decimals);
      const data = routerInterface.encodeFunctionData('pay', [payment.payee, amount, serviceIdToBytes32(payment.serviceId), ref]);
      const txHash = await this.sender.send(
        { to: this.options.router, data },
        {
          beforeBroadcast: async (hash) => {
            uncertain += 1;
            await hooks.onSubmitted(hash);
          },
          broadcastFailed: (_hash, error) => {
            if (isConnectionRefused(error) || isNonceTooLow(error) || revertReasonOf(error)) uncertain -= 1;
          },
        },
      );
      return await this.confirm(txHash, ref);
    } catch (error) {
      // An earlier attempt recorded a hash before broadcasting it: that one may still land.
      return this.settleFailure(error, ref, uncertain > 0 || payment.txHash !== null);
    }
  }

  private async confirm(txHash: string, ref: string): Promise<SettleResult> {
    const receipt = await waitForReceipt(this.options.provider, txHash, this.receiptWait());
    const event =
      receipt.status === 1 ? decodeRouterEvents(receipt.logs, this.options.router).payments.find((e) => e.paymentRef === ref) : undefined;
    if (event) return { kind: 'settled', txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
    // Reverted on chain (e.g. raced by another attempt of the same payment): the reference tells.
    const found = await this.retrying(() => findSettlement(this.options.provider, this.options.router, ref, this.options.fromBlock));
    if (found) return { kind: 'settled', ...found };
    return { kind: 'failed', code: 'PAYMENT_REVERTED', message: `settlement transaction ${txHash} reverted` };
  }

  private async settleFailure(error: unknown, ref: string, broadcastUncertain: boolean): Promise<SettleResult> {
    const revert = revertReasonOf(error);
    if (revert?.name === 'PaymentRefAlreadyUsed') {
      const found = await this.retrying(() =>
        findSettlement(this.options.provider, this.options.router, ref, this.options.fromBlock),
      ).catch(() => undefined);
      if (found) return { kind: 'settled', ...found };
    }
    if (revert)
      return {
        kind: 'failed',
        code: 'PAYMENT_REVERTED',
        message: `the router refused the payment: ${revert.name}${revert.args.length ? `(${revert.args.join(', ')})` : ''}`,
      };
    if (isInsufficientFunds(error))
      return { kind: 'failed', code: 'TREASURY_CANNOT_PAY_GAS', message: 'the treasury wallet cannot pay for gas' };
    if (isChainUnavailable(error)) {
      const mayHaveBeenSent = broadcastUncertain || error instanceof ReceiptTimeoutError;
      this.options.logger.warn('chain unavailable while settling', { paymentRef: ref, mayHaveBeenSent, error: describeError(error) });
      return { kind: 'unavailable', message: `the chain RPC did not answer: ${messageOf(error)}`, mayHaveBeenSent };
    }
    throw error;
  }

  async refund(payment: PaymentRecord, txHash: string | undefined): Promise<RefundResult> {
    const ref = this.refOf(payment);
    try {
      if (txHash) {
        const receipt = await this.retrying(() => this.options.provider.getTransactionReceipt(txHash));
        const refunded =
          receipt?.status === 1 && decodeRouterEvents(receipt.logs, this.options.router).refunds.some((event) => event.paymentRef === ref);
        return refunded
          ? { kind: 'refunded', txHash: receipt.hash }
          : { kind: 'not-verified', message: `transaction ${txHash} does not refund this payment through the router` };
      }
      const already = await this.retrying(() => findRefund(this.options.provider, this.options.router, ref, this.options.fromBlock));
      if (already) return { kind: 'refunded', txHash: already };
      const sender = this.payeeSenders.get(getAddress(payment.payee));
      if (!sender) {
        return {
          kind: 'not-signable',
          message: `this service holds no key for payee ${payment.payee}: the payee refunds through the router itself and passes the transaction hash`,
        };
      }
      const hash = await sender.send({ to: this.options.router, data: routerInterface.encodeFunctionData('refund', [ref]) });
      const receipt = await waitForReceipt(this.options.provider, hash, this.receiptWait());
      if (receipt.status !== 1) return { kind: 'not-verified', message: `refund transaction ${hash} reverted` };
      return { kind: 'refunded', txHash: receipt.hash };
    } catch (error) {
      const revert = revertReasonOf(error);
      if (revert?.name === 'AlreadyRefunded') {
        const found = await findRefund(this.options.provider, this.options.router, ref, this.options.fromBlock).catch(() => undefined);
        if (found) return { kind: 'refunded', txHash: found };
      }
      if (revert) return { kind: 'not-verified', message: `the router refused the refund: ${revert.name}` };
      if (error instanceof ReceiptTimeoutError || isTransientRpcError(error))
        return { kind: 'unavailable', message: `the chain RPC did not answer: ${messageOf(error)}` };
      throw error;
    }
  }

  async checkOnChain(
    txHash: string,
    expected: { payee: string; serviceId: string; minAmount: bigint; paymentRef?: string },
  ): Promise<ChainCheck> {
    const check = await this.retrying(() =>
      checkPaymentOnChain(
        this.options.provider,
        this.options.router,
        txHash,
        { ...expected, minAmount: toTokenUnits(expected.minAmount, this.options.token.decimals) },
        this.options.confirmations,
      ),
    );
    return check.valid ? { valid: true } : check;
  }

  async treasury(): Promise<TreasuryState> {
    const token = MNEEToken__factory.connect(this.options.token.address, this.options.provider);
    const address = this.options.treasury.address;
    const [balance, allowance] = await this.retrying(() =>
      Promise.all([token.balanceOf(address), token.allowance(address, this.options.router)]),
    );
    const unlimited = allowance >= MaxUint256 / 2n;
    return {
      address,
      chainId: this.options.chainId,
      router: this.options.router,
      token: this.options.token,
      balance: fromTokenUnits(balance, this.options.token.decimals),
      allowance: unlimited ? null : fromTokenUnits(allowance, this.options.token.decimals),
      allowanceUnlimited: unlimited,
    };
  }

  async ping(): Promise<void> {
    await this.options.provider.getBlockNumber();
  }

  close(): void {
    this.options.provider.destroy();
  }

  private receiptWait() {
    return {
      confirmations: this.options.confirmations,
      timeoutMs: this.options.receiptTimeoutMs,
      pollMs: this.options.receiptPollMs ?? 250,
    };
  }

  private refOf(payment: PaymentRecord): string {
    if (!payment.paymentRef) throw new Error(`payment ${payment.id} has no router reference`);
    return payment.paymentRef;
  }

  /** Retries transient RPC errors with backoff; when they persist, a ChainUnavailableError. */
  private async retrying<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await withRpcRetry(operation, this.options.retry);
    } catch (error) {
      throw isTransientRpcError(error) ? new ChainUnavailableError({ cause: error }) : error;
    }
  }
}

function messageOf(error: unknown): string {
  const cause = (error instanceof ReceiptTimeoutError || error instanceof ChainUnavailableError) && error.cause ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : cause instanceof Error ? cause.message.slice(0, 200) : 'unknown error';
}
