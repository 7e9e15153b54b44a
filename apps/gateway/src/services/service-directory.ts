import { ProviderClient } from '@nexus/clients';
import type { ServiceConfig, X402ServiceConfig } from '@nexus/config';
import { AppError } from '@nexus/service-kit';
import type { z } from 'zod';
import { x402InputSchema } from '../x402/x402-input';
import { X402Resource } from '../x402/x402-resource';

/** One of our providers (docs/architecture.md §5). */
export interface PaidService {
  kind: 'provider';
  config: ServiceConfig;
  client: ProviderClient;
}

/** An external x402 service (services.yaml `kind: x402`, docs/x402.md). */
export interface X402PaidService {
  kind: 'x402';
  config: X402ServiceConfig;
  resource: X402Resource;
  /** what an agent may send it (services.yaml `input`), checked before anything is held */
  inputSchema: z.ZodObject;
}

export type ListedService = PaidService | X402PaidService;

/** The services of services.yaml, each with a client: our providers, then the x402 services. */
export class ServiceDirectory {
  private readonly services: ReadonlyMap<string, ListedService>;

  constructor(configs: readonly ServiceConfig[], options: { timeoutMs: number; x402?: readonly X402ServiceConfig[] }) {
    const providers = configs.map((config): ListedService => ({
      kind: 'provider',
      config,
      client: new ProviderClient(config.id, { baseUrl: config.providerUrl, timeoutMs: options.timeoutMs }),
    }));
    const x402 = (options.x402 ?? []).map((config): ListedService => ({
      kind: 'x402',
      config,
      resource: new X402Resource(config, options.timeoutMs),
      inputSchema: x402InputSchema(config),
    }));
    this.services = new Map([...providers, ...x402].map((service) => [service.config.id, service]));
  }

  list(): ListedService[] {
    return [...this.services.values()];
  }

  /** The service, or a 404 SERVICE_NOT_FOUND naming the ones there are. */
  get(serviceId: string): ListedService {
    const service = this.services.get(serviceId);
    if (!service) throw new AppError('SERVICE_NOT_FOUND', `no service ${serviceId} (known: ${[...this.services.keys()].join(', ')})`);
    return service;
  }

  /** One of our providers; a bug (500) when the id names an x402 service, whose calls take their own path. */
  provider(serviceId: string): PaidService {
    const service = this.get(serviceId);
    if (service.kind !== 'provider') throw new AppError('INTERNAL_ERROR', `${serviceId} is an x402 service, not one of our providers`);
    return service;
  }

  /** Closes every provider's client (its kept-alive connections). */
  async close(): Promise<void> {
    await Promise.all(this.list().map((service) => (service.kind === 'provider' ? service.client.close() : undefined)));
  }
}
