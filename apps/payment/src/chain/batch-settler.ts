import { decodeRouterEvents, isExpectedPayment } from '@nexus/chain';
import type { Logger } from '@nexus/service-kit';
import type { PaymentRecord } from '@nexus/stores';
import type { JsonRpcProvider, TransactionReceipt } from 'ethers';
import type { ChainCheck, RefundResult, ResolveResult, SettleResult, Settler, SettlementHooks, TreasuryState } from '../settler';
import { sendBatch, type BatchMember, type BatchSendOptions } from './batch-send';
import { BatchWindow } from './batch-window';
import { mayHaveLanded, type ChainSettler } from './chain-settler';
import { GasLimits } from './gas-limits';

export interface BatchingSettlerOptions {
  /** settles what a batch cannot (a batch of one, a payment the router refuses) and does every other chain errand */
  chain: ChainSettler;
  provider: JsonRpcProvider;
  router: string;
  /** the treasury's address (the payer) */
  treasury: string;
  /** how long the first payment waits for others */
  windowMs: number;
  /** a batch goes as soon as it holds this many payments */
  maxPayments: number;
  logger: Logger;
  gasLimits?: GasLimits;
}

/** A payment in the window, with the caller waiting for its own result. */
interface Waiting extends BatchMember {
  resolve(result: SettleResult): void;
  reject(error: unknown): void;
}

/**
 * Chain settlement in batches: the payments that arrive within a window go
 * in one payBatch transaction, and each caller gets its own result. A batch
 * is all or none, so a payment whose earlier attempt may have landed is
 * looked up first; a reference the router refuses as used is taken out and
 * settled alone (where the chain tells whether it is ours); any other revert
 * splits the batch in halves, each estimated afresh, down to single payments
 * that end as ChainSettler ends them. Every member records the batch's hash
 * before broadcast, so a crash leaves each PENDING with it, as a single
 * payment would be.
 */
export class BatchingSettler implements Settler {
  readonly mode = 'chain' as const;
  readonly gasLimits: GasLimits;
  private readonly window: BatchWindow<Waiting>;
  private readonly send: BatchSendOptions;

  constructor(private readonly options: BatchingSettlerOptions) {
    const { chain, provider, router, treasury } = options;
    this.gasLimits = options.gasLimits ?? new GasLimits();
    this.send = { chain, provider, router, treasury, gasLimits: this.gasLimits };
    this.window = new BatchWindow({
      windowMs: options.windowMs,
      max: options.maxPayments,
      flush: (members) => void this.settleAll(members),
    });
  }

  /** The single settler behind the batches: its treasury sender is the one every treasury transaction goes through. */
  get chain(): ChainSettler {
    return this.options.chain;
  }

  async settle(payment: PaymentRecord, hooks: SettlementHooks): Promise<SettleResult> {
    const expected = this.options.chain.expectedOf(payment);
    return new Promise((resolve, reject) => this.window.add({ payment, expected, hooks, resolve, reject }));
  }

  private async settleAll(members: Waiting[]): Promise<void> {
    try {
      const unpaid = await Promise.all(members.map((member) => this.unlessPaid(member)));
      await this.settleGroup(
        unpaid.filter((member): member is Waiting => member !== undefined),
        { fresh: false },
      );
    } catch (error) {
      // A member already answered ignores this.
      for (const member of members) member.reject(error);
    }
  }

  /** The member, unless an earlier attempt of its payment landed (then it is answered here). */
  private async unlessPaid(member: Waiting): Promise<Waiting | undefined> {
    if (!mayHaveLanded(member.payment)) return member;
    const { chain } = this.options;
    try {
      const found = await chain.findPaid(member.expected);
      if (!found) return member;
      this.answer(member, chain.durable({ kind: 'settled', ...found }));
    } catch (error) {
      this.answer(member, chain.settleFailure(error, member.expected, { broadcastUncertain: member.payment.txHash !== null }));
    }
    return undefined;
  }

  private async settleGroup(members: Waiting[], { fresh }: { fresh: boolean }): Promise<void> {
    const [only] = members;
    if (!only) return;
    if (members.length === 1) return this.alone(only);
    const outcome = await sendBatch(this.send, members, { fresh });
    switch (outcome.kind) {
      case 'mined':
        return this.settledIn(outcome.receipt, members);
      case 'refused': {
        // Their lease was lost: another settler is in charge of them; the others go again.
        for (const [member, error] of outcome.refusals) member.reject(error);
        return this.settleGroup(
          members.filter((member) => !outcome.refusals.has(member)),
          { fresh },
        );
      }
      case 'reverted': {
        const usedRef = outcome.usedRef?.toLowerCase();
        const used = members.filter((member) => member.expected.paymentRef.toLowerCase() === usedRef);
        this.options.logger.warn('a payment batch was refused; settling it in parts', {
          payments: members.length,
          reason: outcome.message,
        });
        if (used.length > 0) {
          used.forEach((member) => this.alone(member));
          return this.settleGroup(
            members.filter((member) => !used.includes(member)),
            { fresh: true },
          );
        }
        const half = Math.ceil(members.length / 2);
        await Promise.all([
          this.settleGroup(members.slice(0, half), { fresh: true }),
          this.settleGroup(members.slice(half), { fresh: true }),
        ]);
        return;
      }
      case 'error': {
        const { chain } = this.options;
        for (const member of members) {
          const broadcastUncertain = outcome.broadcastUncertain || member.payment.txHash !== null;
          this.answer(member, chain.settleFailure(outcome.error, member.expected, { broadcastUncertain }));
        }
        return;
      }
    }
  }

  /** Each member's own event in the batch's receipt settles it. */
  private settledIn(receipt: TransactionReceipt, members: Waiting[]): void {
    const { chain, router } = this.options;
    const events = decodeRouterEvents(receipt.logs, router).payments;
    for (const member of members) {
      if (events.some((event) => isExpectedPayment(event, member.expected)))
        this.answer(
          member,
          chain.durable({ kind: 'settled', txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed }),
        );
      // Never seen (all or none): settled alone, looked up first.
      else this.alone({ ...member, payment: { ...member.payment, attempts: member.payment.attempts + 1 } });
    }
  }

  /** Settles one payment in its own transaction, as ChainSettler does. */
  private alone(member: Waiting): void {
    this.answer(member, this.options.chain.settle(member.payment, member.hooks));
  }

  private answer(member: Waiting, result: Promise<SettleResult> | SettleResult): void {
    Promise.resolve(result).then(member.resolve, member.reject);
  }

  resolve(payment: PaymentRecord): Promise<ResolveResult> {
    return this.options.chain.resolve(payment);
  }

  refund(payment: PaymentRecord, txHash: string | undefined): Promise<RefundResult> {
    return this.options.chain.refund(payment, txHash);
  }

  checkOnChain(
    txHash: string,
    expected: { payee: string; serviceId: string; minAmount: bigint; paymentRef?: string },
  ): Promise<ChainCheck> {
    return this.options.chain.checkOnChain(txHash, expected);
  }

  treasury(): Promise<TreasuryState> {
    return this.options.chain.treasury();
  }

  ping(): Promise<void> {
    return this.options.chain.ping();
  }

  /** Sends what the window holds, then closes the chain connection. */
  close(): void {
    this.window.flush();
    this.options.chain.close();
  }
}
