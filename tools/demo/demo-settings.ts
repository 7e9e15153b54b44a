import { NexusError, parseAgentApiKeys } from '@nexus/types';
import { AgentId } from './demo-report';

/** Something the demo needs before it can start (exit code 2). */
export class DemoSetupError extends NexusError {
  override readonly name = 'DemoSetupError';
}

export interface DemoSettings {
  gatewayUrl: string;
  /** null only with --no-reset (the admin key is used for POST /reset only) */
  adminKey: string | null;
  agentKeys: Record<AgentId, string>;
  reset: boolean;
  json: boolean;
}

export const DEMO_USAGE = 'usage: npm run demo [-- --no-reset] [-- --json]';

/** The command line: `--no-reset`, `--json`, `--help`. */
export function parseDemoArgs(argv: readonly string[]): { reset: boolean; json: boolean; help: boolean } {
  const flags = { reset: true, json: false, help: false };
  for (const arg of argv) {
    if (arg === '--no-reset') flags.reset = false;
    else if (arg === '--json') flags.json = true;
    else if (arg === '--help' || arg === '-h') flags.help = true;
    else throw new DemoSetupError(`unknown argument ${JSON.stringify(arg)}; ${DEMO_USAGE}`);
  }
  return flags;
}

/** `AGENT_API_KEYS` (`user-agent:k1,batch-agent:k2,...`): the key of each demo agent; the keys themselves never appear in a message. */
export function agentKeysFrom(value: string | undefined): Record<AgentId, string> {
  const found = parseAgentApiKeys(value ?? '').keys;
  const missing = AgentId.options.filter((id) => !found.get(id));
  if (missing.length > 0) throw new DemoSetupError(`AGENT_API_KEYS has no key for ${missing.join(', ')}`);
  return Object.fromEntries(AgentId.options.map((id) => [id, found.get(id) ?? ''])) as Record<AgentId, string>;
}

/** The gateway to talk to: GATEWAY_URL, else the loopback address on GATEWAY_PORT (8000). */
export function gatewayUrlFrom(env: Readonly<Record<string, string>>): string {
  const given = env['GATEWAY_URL']?.trim();
  if (given) {
    if (!URL.canParse(given)) throw new DemoSetupError(`GATEWAY_URL is not a URL: ${JSON.stringify(given)}`);
    return given.replace(/\/+$/, '');
  }
  const port = env['GATEWAY_PORT']?.trim() || '8000';
  if (!/^\d{1,5}$/.test(port)) throw new DemoSetupError(`GATEWAY_PORT is not a port: ${JSON.stringify(port)}`);
  return `http://127.0.0.1:${port}`;
}

/** Everything the demo needs from the command line and the environment (the env file merged with the process's). */
export function demoSettings(argv: readonly string[], env: Readonly<Record<string, string>>, envPath: string): DemoSettings {
  const { reset, json } = parseDemoArgs(argv);
  if (!env['AGENT_API_KEYS'])
    throw new DemoSetupError(`AGENT_API_KEYS is not set (looked in ${envPath} and the environment; npm start writes it)`);
  const agentKeys = agentKeysFrom(env['AGENT_API_KEYS']);
  const adminKey = env['ADMIN_API_KEY']?.trim() || null;
  if (reset && !adminKey) {
    throw new DemoSetupError(
      `ADMIN_API_KEY is not set (looked in ${envPath} and the environment); it resets the budgets, or run with --no-reset`,
    );
  }
  return { gatewayUrl: gatewayUrlFrom(env), adminKey, agentKeys, reset, json };
}
