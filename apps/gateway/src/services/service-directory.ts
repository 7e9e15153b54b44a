import { ProviderClient } from '@nexus/clients';
import type { ServiceConfig } from '@nexus/config';
import { AppError } from '@nexus/service-kit';

export interface PaidService {
  config: ServiceConfig;
  client: ProviderClient;
}

/** The services of services.yaml, each with a client of its provider. */
export class ServiceDirectory {
  private readonly services: ReadonlyMap<string, PaidService>;

  constructor(configs: readonly ServiceConfig[], options: { timeoutMs: number }) {
    this.services = new Map(
      configs.map((config) => [
        config.id,
        { config, client: new ProviderClient(config.id, { baseUrl: config.providerUrl, timeoutMs: options.timeoutMs }) },
      ]),
    );
  }

  list(): PaidService[] {
    return [...this.services.values()];
  }

  /** The service, or a 404 SERVICE_NOT_FOUND naming the ones there are. */
  get(serviceId: string): PaidService {
    const service = this.services.get(serviceId);
    if (!service) throw new AppError('SERVICE_NOT_FOUND', `no service ${serviceId} (known: ${[...this.services.keys()].join(', ')})`);
    return service;
  }

  /** Closes every provider's client (its kept-alive connections). */
  async close(): Promise<void> {
    await Promise.all([...this.services.values()].map(({ client }) => client.close()));
  }
}
