import { PAYMENT_ID_HEADER, PAYMENT_TX_HEADER, type PaymentMode, type Quote } from '@nexus/types';

/** The part of a service's configuration a quote is made of (config/services.yaml's entry fits). */
export interface PricedService {
  id: string;
  name: string;
  payee: string;
  defaultVariant: string;
  variants: { id: string; price: string; description?: string | undefined }[];
}

/** How this provider is paid: the chain's coordinates, or mock mode. */
export interface PaymentTerms {
  mode: PaymentMode;
  chainId: number | null;
  router: string | null;
  token: { address: string; symbol: string; decimals: number } | null;
  confirmations: number;
}

export function buildQuote(service: PricedService, terms: PaymentTerms): Quote {
  return {
    serviceId: service.id,
    name: service.name,
    defaultVariant: service.defaultVariant,
    variants: service.variants.map((variant) => ({ id: variant.id, price: variant.price, description: variant.description ?? null })),
    payee: service.payee,
    payment: { ...terms, headers: { paymentId: PAYMENT_ID_HEADER, txHash: PAYMENT_TX_HEADER } },
  };
}
