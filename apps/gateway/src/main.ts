import { ConfigError, loadConfig } from '@nexus/config';
import { createLogger, describeError, serve } from '@nexus/service-kit';
import { loadModelSettings } from './agents/model-settings';
import { buildGateway } from './build-gateway';
import { loadGatewayEnv } from './gateway-env';

const logger = createLogger('gateway');

async function main(): Promise<void> {
  const env = loadGatewayEnv();
  const config = loadConfig();
  const { models, chat } = loadModelSettings(process.env);
  const gateway = await buildGateway({ env, config, logger, chat: { models, settings: chat } });
  await serve(gateway.app, { host: env.host, port: env.port, logger, onShutdown: () => gateway.close() });
  logger.info('gateway ready', { defaultModel: models.default, agentKeys: env.agentApiKeys.size });
}

main().catch((error: unknown) => {
  const details = error instanceof ConfigError ? { problems: error.problems } : { cause: describeError(error) };
  logger.error('gateway failed to start', { error: error instanceof Error ? error.message : String(error), ...details });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
