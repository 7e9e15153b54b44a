import type { PaymentClient } from '@nexus/clients';
import { AppError } from '@nexus/service-kit';
import type { ListedService, X402PaidService } from '../services/service-directory';
import type { PayingChainReader } from './paying-chain';
import { chooseOffer } from './x402-offer';

/** The offer of a service's 402 answer the treasury can pay, and its price in MNEE. */
export interface X402Quote {
  price: string;
  accepted: Parameters<PaymentClient['payX402']>[0]['accepted'];
  resource: Parameters<PaymentClient['payX402']>[0]['resource'];
}

/**
 * Asks an x402 service its price, for free: the unpaid request, its 402
 * answer, and the one offer the treasury can pay. Throws (nothing held or
 * paid) when the payment service is in mock mode, the service cannot be
 * reached, or it asks for a payment we cannot make.
 */
export class X402Quoter {
  constructor(private readonly chain: Pick<PayingChainReader, 'get'>) {}

  async quote(service: X402PaidService, input: Record<string, unknown>): Promise<X402Quote> {
    const chain = await this.chain.get();
    const probe = await service.resource.probe(input);
    const id = service.config.id;
    if (probe.kind === 'not_payable') throw notPayable(id, probe.why);
    const offer = chooseOffer(probe.required, chain, service.config.payTo);
    if (!offer.ok) throw notPayable(id, offer.why);
    const { url, description, mimeType } = offer.resource;
    const resource = { url, ...(description ? { description } : {}), ...(mimeType ? { mimeType } : {}) };
    return { price: offer.price, accepted: offer.accepted, resource };
  }

  /** What a dry run of the policy needs to know of a service: an x402 service's price now (for an empty input), nothing for ours. */
  async simulationPrice(service: ListedService): Promise<{ price?: string }> {
    return service.kind === 'x402' ? { price: (await this.quote(service, {})).price } : {};
  }
}

function notPayable(serviceId: string, why: string): AppError {
  return new AppError('X402_NOT_PAYABLE', `${serviceId} cannot be paid: ${why}; nothing was held or paid`);
}
