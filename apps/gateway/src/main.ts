import { loadConfig } from '@nexus/config';
import { runService } from '@nexus/service-kit';
import { loadModelSettings } from './agents/model-settings';
import { buildGateway } from './build-gateway';
import { loadGatewayEnv } from './gateway-env';

runService({
  name: 'gateway',
  load: () => {
    const env = loadGatewayEnv();
    const config = loadConfig();
    const { models, chat } = loadModelSettings(process.env);
    return { listen: { host: env.host, port: env.port }, settings: { env, config, chat: { models, settings: chat } } };
  },
  build: (settings, logger) => buildGateway({ ...settings, logger }),
  ready: (_gateway, { env, chat }) => ({ defaultModel: chat.models.default, agentKeys: env.agentApiKeys.size }),
});
