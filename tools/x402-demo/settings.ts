import { ConfigError, loadChainEnv, loadConfig, type X402ServiceConfig } from '@nexus/config';
import { NexusError, parseAgentApiKeys } from '@nexus/types';
import { DemoSetupError, gatewayUrlFrom } from '../demo/demo-settings';
import { STACK } from '../stack/stack-services';

/** Something the x402 demo needs before it can start (exit code 2). */
export class X402DemoSetupError extends NexusError {
  override readonly name = 'X402DemoSetupError';
}

export interface X402DemoSettings {
  /** PRICE_ORACLE's paid endpoint */
  oracleUrl: string;
  /** the local node (CHAIN_RPC_URL) */
  rpcUrl: string;
  /** the local deployment (CHAIN_DEPLOYMENT_FILE, else $NEXUS_DATA_DIR/chain/deployment.json) */
  deploymentFile: string;
  json: boolean;
  /** the second part: user-agent pays the x402 service EXT_WEATHER through the gateway */
  api: { service: X402ServiceConfig; gatewayUrl: string; agentKey: string };
}

/** The x402 service of services.yaml the demo serves and pays. */
export const DEMO_X402_SERVICE = 'EXT_WEATHER';
const DEMO_AGENT = 'user-agent';

export const X402_DEMO_USAGE = [
  'usage: npm run demo:x402 [-- --json]',
  '',
  'Against a stack started by npm start (chain mode): funds a fresh wallet with 1 stand-in MNEE,',
  'pays PRICE_ORACLE for an ETH price with the official @x402/fetch client, shows the settlement',
  'and the balances on chain, and that the same payment sent again is refused. Then serves the',
  'stand-in x402 API EXT_WEATHER (services.yaml) and has user-agent pay it through the gateway,',
  'under its policy; a price above maxPrice is refused before paying.',
  'Exit code 0 when all was as expected, 1 when something was not, 2 when it could not run.',
].join('\n');

/** The command line: `--json`, `--help`. */
export function parseX402DemoArgs(argv: readonly string[]): { json: boolean; help: boolean } {
  const flags = { json: false, help: false };
  for (const arg of argv) {
    if (arg === '--json') flags.json = true;
    else if (arg === '--help' || arg === '-h') flags.help = true;
    else throw new X402DemoSetupError(`unknown argument ${JSON.stringify(arg)}; ${X402_DEMO_USAGE.split('\n')[0] ?? ''}`);
  }
  return flags;
}

const ORACLE = STACK.find((service) => service.serviceId === 'PRICE_ORACLE');

/** PRICE_ORACLE's `/invoke`: NEXUS_SERVICE_PRICE_ORACLE_URL, else the loopback address on PRICE_ORACLE_PORT (8002), as npm start runs it. */
export function oracleUrlFrom(env: Readonly<Record<string, string | undefined>>): string {
  const given = env['NEXUS_SERVICE_PRICE_ORACLE_URL']?.trim();
  if (given) {
    if (!URL.canParse(given)) throw new X402DemoSetupError(`NEXUS_SERVICE_PRICE_ORACLE_URL is not a URL: ${JSON.stringify(given)}`);
    return `${given.replace(/\/+$/, '')}/invoke`;
  }
  const port = env[ORACLE?.portEnv ?? 'PRICE_ORACLE_PORT']?.trim() || String(ORACLE?.port ?? 8002);
  if (!/^\d{1,5}$/.test(port)) throw new X402DemoSetupError(`PRICE_ORACLE_PORT is not a port: ${JSON.stringify(port)}`);
  return `http://127.0.0.1:${port}/invoke`;
}

/** Everything the demo needs from the command line and the environment (the env file merged with the process's). */
export function x402DemoSettings(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): X402DemoSettings {
  const { json } = parseX402DemoArgs(argv);
  let chain;
  try {
    chain = loadChainEnv(env['NEXUS_DATA_DIR'] || 'data', env);
  } catch (error) {
    if (error instanceof ConfigError) throw new X402DemoSetupError(error.message);
    throw error;
  }
  if (chain.mode !== 'chain') {
    throw new X402DemoSetupError(
      'PAYMENT_MODE is mock: x402 needs chain mode (payments settled on the local chain). Unset PAYMENT_MODE and run npm start again',
    );
  }
  if (chain.target.kind !== 'local') {
    throw new X402DemoSetupError(
      `CHAIN_ID, MNEE_TOKEN_ADDRESS and PAYMENT_ROUTER_ADDRESS are set (chain ${chain.target.chainId}): the x402 demo funds its wallet ` +
        'with the stand-in MNEE of the local chain (31337) only. Unset them to use the local chain.',
    );
  }
  return {
    oracleUrl: oracleUrlFrom(env),
    rpcUrl: chain.target.rpcUrl,
    deploymentFile: chain.target.deploymentFile,
    json,
    api: apiSettings(env),
  };
}

/** EXT_WEATHER from services.yaml (NEXUS_CONFIG_DIR, env overrides), the gateway and user-agent's key (AGENT_API_KEYS). */
function apiSettings(env: Readonly<Record<string, string | undefined>>): X402DemoSettings['api'] {
  const defined = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  let service: X402ServiceConfig | undefined;
  let gatewayUrl: string;
  try {
    service = loadConfig({ env: defined }).x402Services.find((entry) => entry.id === DEMO_X402_SERVICE);
    gatewayUrl = gatewayUrlFrom(defined);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DemoSetupError) throw new X402DemoSetupError(error.message);
    throw error;
  }
  if (!service) throw new X402DemoSetupError(`services.yaml has no x402 service ${DEMO_X402_SERVICE}: the demo pays that one`);
  const agentKey = parseAgentApiKeys(env['AGENT_API_KEYS'] ?? '').keys.get(DEMO_AGENT);
  if (!agentKey) throw new X402DemoSetupError(`AGENT_API_KEYS has no key for ${DEMO_AGENT} (npm start writes it)`);
  return { service, gatewayUrl, agentKey };
}
