import { loadServiceEnv } from '@nexus/config';
import { runService } from '@nexus/service-kit';
import { assembleProvider } from './assemble-provider';
import type { ProviderBuilder } from './provider-definition';

export interface RunProviderOptions {
  /** the Nx app name, e.g. `image-gen` (env prefix IMAGE_GEN_: IMAGE_GEN_PORT, IMAGE_GEN_DATABASE_URL...) */
  name: string;
  defaultPort: number;
  /** the service id in config/services.yaml; the upper-cased name by default */
  serviceId?: string;
  build: ProviderBuilder;
}

/** A provider's whole `main`: reads the environment and config, builds the provider, serves it, and stops cleanly on SIGTERM. */
export function runProvider(options: RunProviderOptions): void {
  runService({
    name: options.name,
    load: () => {
      const serviceEnv = loadServiceEnv(options.name, options.defaultPort);
      return { listen: { host: serviceEnv.host, port: serviceEnv.port }, settings: serviceEnv };
    },
    build: (serviceEnv, logger) =>
      assembleProvider({
        name: options.name,
        ...(options.serviceId ? { serviceId: options.serviceId } : {}),
        build: options.build,
        serviceEnv,
        env: process.env,
        logger,
      }),
    ready: (provider) => ({ serviceId: provider.paywall.quote.serviceId, mode: provider.paywall.quote.payment.mode }),
  });
}
