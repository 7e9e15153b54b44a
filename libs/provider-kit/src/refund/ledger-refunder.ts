import type { PaymentClient } from '@nexus/clients';
import type { Redemption } from '@nexus/stores';
import type { RefundResult, Refunder } from './refunder';

/**
 * The payment service does the refund: in mock mode it marks the ledger
 * REFUNDED; in chain mode it signs the router's refund with the payee key it
 * holds (local stacks), or answers that it cannot.
 */
export class LedgerRefunder implements Refunder {
  constructor(private readonly payments: PaymentClient) {}

  async refund(redemption: Redemption, reason: string): Promise<RefundResult> {
    try {
      const payment = await this.payments.refund(redemption.paymentId, { reason });
      return {
        status: 'REFUNDED',
        txHash: payment.refund?.txHash ?? null,
        message: payment.refund?.txHash ? 'the payment was refunded through the router' : 'the payment was refunded in the ledger',
        ledgerSynced: true,
      };
    } catch (error) {
      return {
        status: 'FAILED',
        txHash: null,
        message: `the refund failed: ${error instanceof Error ? error.message : String(error)}`,
        ledgerSynced: true,
      };
    }
  }

  async syncLedger(): Promise<void> {
    // The ledger made the refund itself: nothing to tell it.
  }
}
