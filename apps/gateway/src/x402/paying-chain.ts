import type { PaymentClient } from '@nexus/clients';
import { AppError } from '@nexus/service-kit';
import type { PayingChain } from './x402-offer';

/**
 * The chain and token the payment service pays on, asked once (they do not
 * change while it runs, mock mode included; a failed ask is asked again next
 * time). Mock mode has no chain: an x402 service cannot be paid there.
 */
export class PayingChainReader {
  /** the payment service's chain, or null in mock mode; unset until it answered */
  private known: Promise<PayingChain | null> | undefined;

  constructor(private readonly payments: Pick<PaymentClient, 'treasury'>) {}

  async get(): Promise<PayingChain> {
    this.known ??= this.read().catch((error: unknown) => {
      this.known = undefined;
      throw error;
    });
    const chain = await this.known;
    if (!chain)
      throw new AppError(
        'X402_NEEDS_CHAIN_MODE',
        'x402 services are paid on chain (PAYMENT_MODE=chain): the payment service runs in mock mode; nothing was held or paid',
      );
    return chain;
  }

  private async read(): Promise<PayingChain | null> {
    const view = await this.payments.treasury();
    if (view.mode !== 'chain' || view.chainId === null || view.token === null) return null;
    return { network: `eip155:${view.chainId}`, token: { address: view.token.address, decimals: view.token.decimals } };
  }
}
