import { ConfigError, loadServiceEnv } from '@nexus/config';
import { createLogger, describeError, serve } from '@nexus/service-kit';
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
  const logger = createLogger(options.name);
  const start = async () => {
    const serviceEnv = loadServiceEnv(options.name, options.defaultPort);
    const provider = await assembleProvider({
      name: options.name,
      ...(options.serviceId ? { serviceId: options.serviceId } : {}),
      build: options.build,
      serviceEnv,
      env: process.env,
      logger,
    });
    await serve(provider.app, { host: serviceEnv.host, port: serviceEnv.port, logger, onShutdown: provider.close });
    logger.info(`${options.name} ready`, { serviceId: provider.paywall.quote.serviceId, mode: provider.paywall.quote.payment.mode });
  };
  start().catch((error: unknown) => {
    const details = error instanceof ConfigError ? { problems: error.problems } : { cause: describeError(error) };
    logger.error(`${options.name} failed to start`, { error: error instanceof Error ? error.message : String(error), ...details });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}
