import { X402_VARIANT } from '@nexus/types';
import type { ListedService } from './service-directory';

/** A service's prices as agents see them (`GET /services`, MCP `get_quote`). */
export interface CatalogEntry {
  id: string;
  name: string;
  kind: ListedService['kind'];
  defaultVariant: string;
  variants: { id: string; price: string; description: string | null }[];
}

/** Our providers' variants from services.yaml; an x402 service's one variant at its maxPrice (its 402 answer names the price). */
export function catalogEntry(service: ListedService): CatalogEntry {
  const { config } = service;
  if (service.kind === 'x402') {
    const description = `${service.config.description ?? 'an external x402 service'}: priced by its 402 answer, at most this`;
    return {
      id: config.id,
      name: config.name,
      kind: 'x402',
      defaultVariant: X402_VARIANT,
      variants: [{ id: X402_VARIANT, price: service.config.maxPrice, description }],
    };
  }
  return {
    id: config.id,
    name: config.name,
    kind: 'provider',
    defaultVariant: service.config.defaultVariant,
    variants: service.config.variants.map((variant) => ({
      id: variant.id,
      price: variant.price,
      description: variant.description ?? null,
    })),
  };
}
