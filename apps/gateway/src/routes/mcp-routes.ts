import { z } from 'zod';
import { validationError } from '@nexus/service-kit';
import { ResourceId, type ErrorBody } from '@nexus/types';
import type { Caller } from '../access/caller';
import { MCP_PATH } from '../access/mcp-host-guard';
import type { GatewayDeps } from '../gateway-deps';
import { defineRoute, keyHolder, type AnyRoute } from '../http/route-spec';
import { actingKnownAgent } from './acting-agent';

/** The header the admin key names the agent it acts for with (an agent key acts as itself). */
export const MCP_AGENT_HEADER = 'x-nexus-agent';

const JsonRpcMessage = z.looseObject({ jsonrpc: z.literal('2.0') }).describe('a JSON-RPC 2.0 message of the Model Context Protocol');
const McpBody = z.union([JsonRpcMessage, z.array(JsonRpcMessage).min(1).max(20)]);

const McpHeaders = z.object({
  [MCP_AGENT_HEADER]: ResourceId.optional().describe(
    'the agent the admin key acts for; an agent key acts as its own agent (naming another is a 403)',
  ),
  'mcp-protocol-version': z.string().max(40).optional().describe('the MCP protocol version the client negotiated'),
});

/** The agent an MCP request acts for: an agent key's own, or the one the admin key names in X-Nexus-Agent. */
function mcpAgent(deps: GatewayDeps, caller: Caller | undefined, named: string | undefined): string {
  if (keyHolder(caller).kind === 'admin' && named === undefined)
    throw validationError('the admin key must name the agent it acts for', [
      { path: `headers.${MCP_AGENT_HEADER}`, message: 'is required with the admin key' },
    ]);
  return actingKnownAgent(deps, caller, named);
}

/** GET and DELETE: a stateless server opens no event stream and keeps no session to end (the SDK's advice: 405). */
const notAllowed = (method: 'get' | 'delete') =>
  defineRoute({
    method,
    path: MCP_PATH,
    tag: 'mcp',
    access: 'key',
    summary: `${method.toUpperCase()} /mcp: not taken (a stateless MCP server has no stream or session); 405`,
    responses: {},
    errors: { 405: 'always: send MCP messages with POST /mcp' },
    handle: async ({ requestId }) => {
      const body: ErrorBody = {
        error: {
          code: 'METHOD_NOT_ALLOWED',
          message: 'this MCP server is stateless: send every message with POST /mcp',
          ...(requestId ? { requestId } : {}),
        },
      };
      return { status: 405, headers: { Allow: 'POST' }, body };
    },
  });

/** The MCP server (docs/mcp.md): the paid tools under each agent's policy, over Streamable HTTP. */
export function mcpRoutes(deps: GatewayDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: MCP_PATH,
      tag: 'mcp',
      access: 'key',
      summary:
        "The Model Context Protocol (Streamable HTTP, stateless): the paid tools under the agent's policy, and get_budget and get_quote",
      description:
        'Any MCP client: `initialize`, `tools/list`, `tools/call`. Send `Accept: application/json, text/event-stream`. ' +
        'generate_image, get_price, submit_batch_job and archive_logs are paid calls through the same pipeline as POST /tools/:serviceId/invoke; ' +
        '`_meta.idempotencyKey` on a tool call is its Idempotency-Key. Results carry the decision, payment and refund in `_meta`; ' +
        "a rejected or failed call is `isError` with its reason code. The Host (and a browser's Origin) must be allowed (MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS).",
      body: McpBody,
      headers: McpHeaders,
      responses: {
        200: { description: 'the JSON-RPC answer(s)', schema: z.union([JsonRpcMessage, z.array(JsonRpcMessage)]) },
        202: { description: 'notifications only: nothing to answer' },
      },
      errors: {
        400: 'not a JSON-RPC message, or the admin key names no agent (X-Nexus-Agent)',
        403: 'a Host or Origin that is not allowed, or an agent key naming another agent',
        404: 'the agent named is not one of agents.yaml',
        406: 'Accept does not take both application/json and text/event-stream',
        415: 'the body is not application/json',
      },
      handle: async ({ body, headers, caller, requestId }) => {
        const agentId = mcpAgent(deps, caller, headers[MCP_AGENT_HEADER]);
        // the MCP SDK (about 25 MB resident) is loaded on the first MCP request, not at start
        const { answerMcp } = await import('../mcp/mcp-endpoint');
        return {
          body: undefined,
          pipe: (res) =>
            answerMcp(deps, { agentId, ...(requestId === undefined ? {} : { requestId }), message: body, headers: res.req.headers }, res),
        };
      },
    }),
    notAllowed('get'),
    notAllowed('delete'),
  ];
}
