import {
  MNEEPaymentRouter__factory,
  ReceiptTimeoutError,
  isTransientRpcError,
  revertReasonOf,
  rpcFailureText,
  waitForReceipt,
  type TxSender,
} from '@nexus/chain';
import type { PaymentClient } from '@nexus/clients';
import type { Logger } from '@nexus/service-kit';
import type { Redemption } from '@nexus/stores';
import type { Provider } from 'ethers';
import { LedgerRefunder } from './ledger-refunder';
import type { RefundResult, Refunder } from './refunder';

export interface ChainRefunderOptions {
  provider: Provider;
  router: string;
  /** the treasury: the payer of every payment this provider is paid (the router keys payments by payer and reference) */
  treasury: string;
  /** the payee's own signer; without it the payment service is asked to refund (it may hold the payee key) */
  payee: TxSender | undefined;
  payments: PaymentClient;
  confirmations: number;
  receiptTimeoutMs: number;
  logger: Logger;
}

const routerInterface = MNEEPaymentRouter__factory.createInterface();
/** never the RPC's own message as is: it quotes the RPC URL with its API key */
const messageOf = (error: unknown) => rpcFailureText(error);

/**
 * Chain mode: the payee (this provider) sends the router's `refund` for the
 * treasury's payment under the payment's reference and waits for the receipt; then the payments ledger is
 * told, with the transaction for it to check. A ledger that is down is told
 * later (the redemption stays `ledgerSynced: false` until then).
 */
export class ChainRefunder implements Refunder {
  private readonly viaLedger: LedgerRefunder;

  constructor(private readonly options: ChainRefunderOptions) {
    this.viaLedger = new LedgerRefunder(options.payments);
  }

  async refund(redemption: Redemption, reason: string): Promise<RefundResult> {
    const { payee, provider, router, treasury } = this.options;
    if (!payee || !redemption.paymentRef) return this.viaLedger.refund(redemption, reason);
    let txHash: string;
    try {
      const hash = await payee.send({
        to: router,
        data: routerInterface.encodeFunctionData('refund', [treasury, redemption.paymentRef]),
      });
      const receipt = await waitForReceipt(provider, hash, {
        confirmations: this.options.confirmations,
        timeoutMs: this.options.receiptTimeoutMs,
        pollMs: 100,
      });
      if (receipt.status !== 1)
        return { status: 'FAILED', txHash: hash, message: `refund transaction ${hash} reverted`, ledgerSynced: true };
      txHash = receipt.hash;
    } catch (error) {
      const revert = revertReasonOf(error);
      // Refunded before (a retry after a lost answer): the ledger knows, or finds the refund on chain itself.
      if (revert?.name === 'AlreadyRefunded') return this.viaLedger.refund(redemption, reason);
      const message =
        revert !== undefined
          ? `the router refused the refund: ${revert.name}`
          : error instanceof ReceiptTimeoutError || isTransientRpcError(error)
            ? `the chain RPC did not answer: ${messageOf(error)}`
            : messageOf(error);
      this.options.logger.error('refund failed', { paymentId: redemption.paymentId, reason: message });
      return { status: 'FAILED', txHash: null, message, ledgerSynced: true };
    }
    const synced = await this.tellLedger(redemption.paymentId, reason, txHash);
    return { status: 'REFUNDED', txHash, message: 'the payment was refunded through the router', ledgerSynced: synced };
  }

  async syncLedger(redemption: Redemption): Promise<void> {
    if (!redemption.refund?.txHash) return;
    await this.options.payments.refund(redemption.paymentId, { reason: redemption.refund.reason, txHash: redemption.refund.txHash });
  }

  private async tellLedger(paymentId: string, reason: string, txHash: string): Promise<boolean> {
    try {
      await this.options.payments.refund(paymentId, { reason, txHash });
      return true;
    } catch (error) {
      this.options.logger.warn('the payments ledger was not told of a refund yet; it will be retried', {
        paymentId,
        error: messageOf(error),
      });
      return false;
    }
  }
}
