import { serviceEnvName } from '@nexus/config';
import { STACK, type StackService } from './stack-services';

/** The port a service of the stack listens on: its `<NAME>_PORT`, else the default. */
export const portOf = (service: StackService, env: Record<string, string>): number => Number(env[service.portEnv] || service.port);

export const localUrl = (port: number) => `http://127.0.0.1:${port}`;

/**
 * The environment every service of `npm start` gets: the given one, plus the
 * address of each service derived from its port (`POLICY_URL`,
 * `NEXUS_SERVICE_IMAGE_GEN_URL`, …) unless set, so moving a port moves the
 * whole stack with it. Webhooks may target private addresses (a receiver on
 * this machine) unless the environment says otherwise.
 */
export function stackEnvironment(env: Record<string, string>): Record<string, string> {
  const derived: Record<string, string> = {};
  for (const service of STACK) {
    const url = localUrl(portOf(service, env));
    const names = [service.urlEnv, service.serviceId && serviceEnvName(service.serviceId, 'URL')];
    for (const name of names) if (name && !env[name]) derived[name] = url;
  }
  // A local stack's webhook receivers are usually on this machine; an environment that says otherwise wins.
  const local: Record<string, string> = env.WEBHOOK_ALLOW_PRIVATE_TARGETS ? {} : { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };
  return { ...env, ...local, ...derived };
}
