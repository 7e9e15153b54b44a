/**
 * `npm run --silent mcp -- --agent <id>`: a stdio MCP server for local MCP
 * clients that only speak stdio (docs/mcp.md). It forwards `tools/list` and
 * `tools/call` to the gateway's `POST /mcp` with the agent's key from .env
 * (AGENT_API_KEYS) and GATEWAY_URL (or GATEWAY_PORT). stdout carries MCP
 * frames only; everything else goes to stderr. Exit code 2 when it cannot
 * start (no key, the gateway refused or cannot be reached).
 */
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadEnvFile } from '../stack/env-file';
import { BRIDGE_USAGE, BridgeSetupError, bridgeSettings, parseBridgeArgs } from './bridge-settings';
import { bridgeServer, connectGateway } from './stdio-bridge';

const log = (text: string) => process.stderr.write(`mcp: ${text}\n`);

async function main(): Promise<number | undefined> {
  const argv = process.argv.slice(2);
  if (parseBridgeArgs(argv).help) {
    log(BRIDGE_USAGE);
    return 0;
  }
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(__dirname, '../..', '.env'));
  const { env } = loadEnvFile(envPath, process.env, { create: false });
  const settings = bridgeSettings(argv, env, envPath);
  const gateway = await connectGateway(settings).catch((error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    throw new BridgeSetupError(`could not open MCP at ${settings.mcpUrl} as ${settings.agentId}: ${why}`, { cause: error });
  });
  const server = bridgeServer(gateway);
  const stop = () => {
    void Promise.allSettled([server.close(), gateway.close()]).then(() => process.exit(0));
  };
  // The local client closing its end of stdin is the end of the session.
  process.stdin.on('end', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await server.connect(new StdioServerTransport());
  log(`serving MCP on stdio for ${settings.agentId}, forwarding to ${settings.mcpUrl}`);
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    const known = error instanceof BridgeSetupError;
    log(known ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
