import { runService } from '@nexus/service-kit';
import { buildLogger, loadLoggerSettings } from './build-logger';

runService({
  name: 'logger',
  label: 'logger service',
  load: () => loadLoggerSettings(),
  build: (settings, logger) => buildLogger({ settings, logger }),
  ready: (service) => ({ store: service.dialect }),
});
