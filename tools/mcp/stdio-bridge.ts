import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { BridgeSettings } from './bridge-settings';

const BRIDGE = { name: 'mnee-nexus-stdio-bridge', version: '1.0.0' };

/** An MCP client of the gateway's `/mcp`, with the agent's key on every request. */
export async function connectGateway(settings: BridgeSettings): Promise<Client> {
  const client = new Client(BRIDGE);
  const transport = new StreamableHTTPClientTransport(new URL(settings.mcpUrl), {
    requestInit: { headers: { Authorization: `Bearer ${settings.key}` } },
  });
  await client.connect(transport);
  return client;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The stdio side: an MCP server that answers `tools/list` and `tools/call`
 * by asking the gateway, and passes its answers on unchanged (results,
 * `isError`, `_meta` and the `_meta.idempotencyKey` of a call alike). The
 * gateway keeps the policy, the payments and the audit trail; the bridge
 * only carries messages.
 */
export function bridgeServer(gateway: Client): McpServer {
  const server = new McpServer(
    { name: 'mnee-nexus', version: gateway.getServerVersion()?.version ?? BRIDGE.version },
    { capabilities: { tools: {} }, ...(gateway.getInstructions() ? { instructions: gateway.getInstructions() } : {}) },
  );
  server.server.setRequestHandler(ListToolsRequestSchema, (request) => gateway.listTools(request.params));
  server.server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    try {
      return (await gateway.callTool(request.params)) as CallToolResult;
    } catch (error) {
      // The gateway did not answer the call: whether it was paid is not known here, and a retry with the same key finds out.
      const text =
        `GATEWAY_UNREACHABLE: the gateway did not answer this call (${messageOf(error)}); ` +
        'retry with the same _meta.idempotencyKey: a call that was made is answered again, never paid twice.';
      return { isError: true, content: [{ type: 'text', text }] };
    }
  });
  return server;
}
