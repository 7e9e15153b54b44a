import { NexusError, parseAgentApiKeys } from '@nexus/types';

/** Something the bridge needs before it can start (exit code 2). */
export class BridgeSetupError extends NexusError {
  override readonly name = 'BridgeSetupError';
}

export const BRIDGE_USAGE = 'usage: npm run --silent mcp -- --agent <agent-id>';

export interface BridgeSettings {
  agentId: string;
  /** the agent's key, from AGENT_API_KEYS; never printed */
  key: string;
  /** the gateway's MCP endpoint */
  mcpUrl: string;
}

/** The command line: `--agent <id>` (or `--agent=<id>`), `--help`. */
export function parseBridgeArgs(argv: readonly string[]): { agentId: string | undefined; help: boolean } {
  let agentId: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--agent') {
      agentId = argv[i + 1];
      if (agentId === undefined || agentId.startsWith('--')) throw new BridgeSetupError(`--agent needs an agent id; ${BRIDGE_USAGE}`);
      i++;
    } else if (arg.startsWith('--agent=')) agentId = arg.slice('--agent='.length);
    else throw new BridgeSetupError(`unknown argument ${JSON.stringify(arg)}; ${BRIDGE_USAGE}`);
  }
  return { agentId, help };
}

/** The gateway's `/mcp`: GATEWAY_URL, else the loopback address on GATEWAY_PORT (8000). */
export function mcpUrlFrom(env: Readonly<Record<string, string>>): string {
  const given = env['GATEWAY_URL']?.trim();
  if (given) {
    if (!URL.canParse(given)) throw new BridgeSetupError(`GATEWAY_URL is not a URL: ${JSON.stringify(given)}`);
    return `${given.replace(/\/+$/, '')}/mcp`;
  }
  const port = env['GATEWAY_PORT']?.trim() || '8000';
  if (!/^\d{1,5}$/.test(port)) throw new BridgeSetupError(`GATEWAY_PORT is not a port: ${JSON.stringify(port)}`);
  return `http://127.0.0.1:${port}/mcp`;
}

/** Everything the bridge needs from the command line and the environment (the env file merged with the process's). */
export function bridgeSettings(argv: readonly string[], env: Readonly<Record<string, string>>, envPath: string): BridgeSettings {
  const { agentId } = parseBridgeArgs(argv);
  if (agentId === undefined) throw new BridgeSetupError(`which agent? ${BRIDGE_USAGE}`);
  if (!env['AGENT_API_KEYS'])
    throw new BridgeSetupError(`AGENT_API_KEYS is not set (looked in ${envPath} and the environment; npm start writes it)`);
  const key = parseAgentApiKeys(env['AGENT_API_KEYS']).keys.get(agentId);
  if (!key) throw new BridgeSetupError(`AGENT_API_KEYS has no key for ${agentId}`);
  return { agentId, key, mcpUrl: mcpUrlFrom(env) };
}
