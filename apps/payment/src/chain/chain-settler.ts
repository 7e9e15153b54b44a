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
  rpcFailureText,
  serviceIdToBytes32,
  toTokenUnits,
  isExpectedPayment,
  isExpectedRefund,
  waitForReceipt,
  withRpcRetry,
  type ExpectedPayment,
  type RetryPolicy,
} from '@nexus/chain';
import { describeError, type Logger } from '@nexus/service-kit';
import type { PaymentRecord } from '@nexus/stores';
import { MaxUint256, ZeroAddress, getAddress, type JsonRpcProvider, type Wallet } from 'ethers';
import type { ChainCheck, RefundResult, ResolveResult, SettleResult, Settler, SettlementHooks, TreasuryState } from '../settler';
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

/** The chain as the x402 facilitator uses it (apps/payment/src/x402/). */
export interface ChainAccess {
  provider: JsonRpcProvider;
  chainId: number;
  token: { address: string; symbol: string; decimals: number };
  /** the treasury's sender: its settle transactions share the treasury's nonce manager and lock */
  sender: TxSender;
  receiptTimeoutMs: number;
  /** the first block worth searching for the token's events (the deployment's) */
  fromBlock: number;
}

const routerInterface = MNEEPaymentRouter__factory.createInterface();

/**
 * Settles payments through MNEEPaymentRouter from the treasury wallet: one
 * sender (NonceManager + lock) per signer, retries with backoff on transient
 * RPC errors, a FAILED with the decoded reason on reverts, and the chain as
 * the judge of whether a reference was already paid. A reference is only
 * unique per payer: every lookup asks for the treasury's own payment, to the
 * payee, for the service, of exactly the amount, and nothing else counts.
 */
export class ChainSettler implements Settler {
  readonly mode = 'chain' as const;
  /** the treasury's one sender: every transaction it signs goes through it (nonces, lock) */
  readonly sender: TxSender;
  private readonly payeeSenders: Map<string, TxSender>;

  constructor(private readonly options: ChainSettlerOptions) {
    this.sender = new TxSender(options.treasury, options.retry);
    this.payeeSenders = new Map(options.payees.map((wallet) => [wallet.address, new TxSender(wallet, options.retry)]));
  }

  /** What the x402 facilitator needs of the chain: reads, the token, and the treasury's one sender (never a second nonce manager). */
  get chainAccess(): ChainAccess {
    const { provider, chainId, token, receiptTimeoutMs, fromBlock } = this.options;
    return { provider, chainId, token, sender: this.sender, receiptTimeoutMs, fromBlock };
  }

  async settle(payment: PaymentRecord, hooks: SettlementHooks): Promise<SettleResult> {
    return this.durable(await this.settleOnChain(payment, hooks));
  }

  /** On the journaled local node, a settled result stands only once its block is durable. */
  durable(result: SettleResult): Promise<SettleResult> | SettleResult {
    return this.options.durableBlocks ? this.options.durableBlocks.settled(result) : result;
  }

  /** Where the router recorded our payment, when an earlier attempt landed; undefined when it never did. */
  findPaid(expected: ExpectedPayment) {
    return this.retrying(() => findSettlement(this.options.provider, this.options.router, expected, this.options.fromBlock));
  }

  private async settleOnChain(payment: PaymentRecord, hooks: SettlementHooks): Promise<SettleResult> {
    const expected = this.expectedOf(payment);
    const ref = expected.paymentRef;
    // Broadcasts that may have reached the node: a refused connection or a refusal by the node does not count.
    let uncertain = 0;
    try {
      // A previous attempt may have landed: the chain knows, by reference.
      if (mayHaveLanded(payment)) {
        const found = await this.findPaid(expected);
        if (found) return { kind: 'settled', ...found };
      }
      const data = routerInterface.encodeFunctionData('pay', [payment.payee, expected.amount, serviceIdToBytes32(payment.serviceId), ref]);
      const txHash = await this.sender.send(
        { to: this.options.router, data },
        {
          beforeBroadcast: async (hash, signed) => {
            await hooks.onSubmitted(hash, signed);
            uncertain += 1;
          },
          broadcastFailed: (_hash, error) => {
            if (neverReachedNode(error)) uncertain -= 1;
          },
        },
      );
      return await this.confirm(txHash, expected);
    } catch (error) {
      // An earlier attempt recorded a hash before broadcasting it: that one may still land.
      return this.settleFailure(error, expected, { broadcastUncertain: uncertain > 0 || payment.txHash !== null });
    }
  }

  private async confirm(txHash: string, expected: ExpectedPayment): Promise<SettleResult> {
    const receipt = await waitForReceipt(this.options.provider, txHash, this.receiptWait());
    const event =
      receipt.status === 1
        ? decodeRouterEvents(receipt.logs, this.options.router).payments.find((e) => isExpectedPayment(e, expected))
        : undefined;
    if (event) return { kind: 'settled', txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
    // Reverted on chain (e.g. raced by another attempt of the same payment): the reference tells.
    return (
      (await this.lookUpAfterRefusal(expected, `settlement transaction ${txHash} reverted`)) ?? {
        kind: 'failed',
        code: 'PAYMENT_REVERTED',
        message: `settlement transaction ${txHash} reverted`,
      }
    );
  }

  /**
   * After the router refused or reverted our payment: our payment of the
   * reference when the chain shows it; 'unavailable' (may have been sent,
   * so the payment stays PENDING) when the reference is ours on the router
   * but no matching event was found, or the lookup failed; undefined when
   * the router holds nothing under our reference (the refusal stands).
   */
  private async lookUpAfterRefusal(expected: ExpectedPayment, what: string): Promise<SettleResult | undefined> {
    const { provider, router, fromBlock, logger } = this.options;
    try {
      const found = await this.retrying(() => findSettlement(provider, router, expected, fromBlock));
      if (found) return { kind: 'settled', ...found };
      const recorded = await this.retrying(() =>
        MNEEPaymentRouter__factory.connect(router, provider).paymentOf(expected.payer, expected.paymentRef),
      );
      if (recorded.payer === ZeroAddress) return undefined;
      logger.warn('the router holds our reference but no matching payment event was found', { paymentRef: expected.paymentRef });
      return {
        kind: 'unavailable',
        message: `${what}; the router holds a payment under this reference but its event was not found`,
        mayHaveBeenSent: true,
      };
    } catch (error) {
      logger.warn('could not look a refused payment up on chain', { paymentRef: expected.paymentRef, error: describeError(error) });
      return { kind: 'unavailable', message: `${what}; its lookup failed: ${messageOf(error)}`, mayHaveBeenSent: true };
    }
  }

  /** What an error while settling comes to; rethrown when it is none of the chain's known failures. */
  async settleFailure(
    error: unknown,
    expected: ExpectedPayment,
    { broadcastUncertain }: { broadcastUncertain: boolean },
  ): Promise<SettleResult> {
    const ref = expected.paymentRef;
    const revert = revertReasonOf(error);
    if (revert?.name === 'PaymentRefAlreadyUsed') {
      // Our own reference was paid before (references are per payer): never FAILED, the money may have moved.
      const what = 'the router refused the payment as already paid (PaymentRefAlreadyUsed)';
      return (
        (await this.lookUpAfterRefusal(expected, what)) ?? {
          kind: 'unavailable',
          message: `${what} but holds nothing under this reference`,
          mayHaveBeenSent: true,
        }
      );
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

  async resolve(payment: PaymentRecord): Promise<ResolveResult> {
    const expected = this.expectedOf(payment);
    const ref = expected.paymentRef;
    const { provider } = this.options;
    try {
      // The mined nonce first, the reference after: a transaction mined in between is seen by the second read.
      const mined = await this.retrying(() => provider.getTransactionCount(this.options.treasury.address, 'latest'));
      const found = await this.retrying(() => findSettlement(provider, this.options.router, expected, this.options.fromBlock));
      if (found) {
        // As in settle(): on the journaled local node, SUCCESS only once its block is durable.
        const durable = this.options.durableBlocks ? await this.options.durableBlocks.settled({ kind: 'settled', ...found }) : undefined;
        if (durable && durable.kind !== 'settled') return { kind: 'pending', message: durable.message };
        return { kind: 'settled', ...found };
      }
      const txHash = payment.txHash;
      // A hash is recorded before anything is broadcast, and the caller holds the lease: none means nothing was sent.
      if (txHash === null)
        return { kind: 'failed', code: 'NEVER_SENT', message: 'no transaction was signed for this payment: nothing was sent' };
      const known = await this.retrying(() => provider.getTransaction(txHash));
      const nonce = payment.txNonce ?? known?.nonce ?? null;
      if (nonce !== null && mined > nonce)
        return {
          kind: 'failed',
          code: 'NEVER_LANDED',
          message: `the treasury's mined nonce passed ${nonce} and the router has no payment under this reference: no transaction of it can land`,
        };
      const rawTx = payment.rawTx;
      if (!known && rawTx) {
        // The node lost it (a restart): send the very same transaction again.
        await this.retrying(() => provider.broadcastTransaction(rawTx)).catch((error: unknown) => {
          if (isChainUnavailable(error)) throw error;
          this.options.logger.warn('could not send a pending transaction again', { paymentRef: ref, txHash, error: describeError(error) });
        });
        return { kind: 'pending', message: `transaction ${txHash} (nonce ${nonce ?? '?'}) was unknown to the node and was sent again` };
      }
      return { kind: 'pending', message: `transaction ${txHash} (nonce ${nonce ?? '?'}) is not mined yet` };
    } catch (error) {
      if (isChainUnavailable(error)) return { kind: 'pending', message: `the chain RPC did not answer: ${messageOf(error)}` };
      throw error;
    }
  }

  async refund(payment: PaymentRecord, txHash: string | undefined): Promise<RefundResult> {
    const expected = this.expectedOf(payment);
    const ref = expected.paymentRef;
    try {
      if (txHash) {
        const receipt = await this.retrying(() => this.options.provider.getTransactionReceipt(txHash));
        const refunded =
          receipt?.status === 1 &&
          decodeRouterEvents(receipt.logs, this.options.router).refunds.some((event) => isExpectedRefund(event, expected));
        return refunded
          ? { kind: 'refunded', txHash: receipt.hash }
          : { kind: 'not-verified', message: `transaction ${txHash} does not refund this payment through the router` };
      }
      const already = await this.retrying(() => findRefund(this.options.provider, this.options.router, expected, this.options.fromBlock));
      if (already) return { kind: 'refunded', txHash: already };
      const sender = this.payeeSenders.get(getAddress(payment.payee));
      if (!sender) {
        return {
          kind: 'not-signable',
          message: `this service holds no key for payee ${payment.payee}: the payee refunds through the router itself and passes the transaction hash`,
        };
      }
      const hash = await sender.send({
        to: this.options.router,
        data: routerInterface.encodeFunctionData('refund', [expected.payer, ref]),
      });
      const receipt = await waitForReceipt(this.options.provider, hash, this.receiptWait());
      if (receipt.status !== 1) return { kind: 'not-verified', message: `refund transaction ${hash} reverted` };
      return { kind: 'refunded', txHash: receipt.hash };
    } catch (error) {
      const revert = revertReasonOf(error);
      if (revert?.name === 'AlreadyRefunded') {
        const found = await findRefund(this.options.provider, this.options.router, expected, this.options.fromBlock).catch(() => undefined);
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
        {
          ...expected,
          payer: this.options.treasury.address,
          minAmount: toTokenUnits(expected.minAmount, this.options.token.decimals),
        },
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

  receiptWait() {
    return {
      confirmations: this.options.confirmations,
      timeoutMs: this.options.receiptTimeoutMs,
      pollMs: this.options.receiptPollMs ?? 250,
    };
  }

  /** Our payment as the router must show it: the treasury's reference, to the payee, for the service, of exactly the amount. */
  expectedOf(payment: PaymentRecord): ExpectedPayment {
    if (!payment.paymentRef) throw new Error(`payment ${payment.id} has no router reference`);
    return {
      paymentRef: payment.paymentRef,
      payer: this.options.treasury.address,
      payee: payment.payee,
      serviceId: payment.serviceId,
      amount: toTokenUnits(payment.amount, this.options.token.decimals),
    };
  }

  /** Retries transient RPC errors with backoff; when they persist, a ChainUnavailableError. */
  async retrying<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await withRpcRetry(operation, this.options.retry);
    } catch (error) {
      throw isTransientRpcError(error) ? new ChainUnavailableError({ cause: error }) : error;
    }
  }
}

/** An earlier attempt of the payment may have landed: the chain is asked before anything is sent. */
export function mayHaveLanded(payment: PaymentRecord): boolean {
  return payment.attempts > 1 || payment.txHash !== null;
}

/** A broadcast that threw this never reached the node: a refused connection, or a refusal by the node. */
export function neverReachedNode(error: unknown): boolean {
  return isConnectionRefused(error) || isNonceTooLow(error) || revertReasonOf(error) !== undefined;
}

function messageOf(error: unknown): string {
  const cause = (error instanceof ReceiptTimeoutError || error instanceof ChainUnavailableError) && error.cause ? error.cause : error;
  return rpcFailureText(cause);
}
