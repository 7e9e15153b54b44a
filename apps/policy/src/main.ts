import { runService } from '@nexus/service-kit';
import { buildPolicy, loadPolicySettings } from './build-policy';

runService({
  name: 'policy',
  label: 'policy service',
  load: () => loadPolicySettings(),
  build: (settings, logger) => buildPolicy({ settings, logger }),
  ready: (policy, { config }) => ({
    store: policy.dialect,
    agents: config.agents.length,
    services: config.services.length,
    configDir: config.dir,
  }),
});
