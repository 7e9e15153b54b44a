import type { IncomingHttpHeaders } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Response as ExpressResponse } from 'express';
import { AppError } from '@nexus/service-kit';
import type { ErrorCode } from '@nexus/types';
import { registerFreeTools, registerPaidTools, type McpCaller, type McpToolDeps } from './mcp-tools';

export interface McpEndpointDeps extends McpToolDeps {
  version: string;
}

/** One `POST /mcp`: who it acts for, the JSON-RPC message(s) it carries, and the request's headers. */
export interface McpExchange extends McpCaller {
  message: unknown;
  headers: IncomingHttpHeaders;
}

const INSTRUCTIONS =
  'MNEE Nexus: paid tools under a treasury policy. generate_image, get_price, submit_batch_job and archive_logs are paid in MNEE per call; ' +
  'the policy may allow, downgrade to a cheaper variant, reject, or hold a call for approval, and every result says which in _meta.decision. ' +
  'get_budget and get_quote are free: check them before a costly call.';

/** The headers the transport reads; Host and Origin were checked before (mcpHostGuard). */
const FORWARDED_HEADERS = ['accept', 'content-type', 'mcp-protocol-version'] as const;

function webHeaders(headers: IncomingHttpHeaders): Headers {
  const forwarded = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') forwarded.set(name, value);
  }
  return forwarded;
}

const TRANSPORT_ERROR_CODES: Record<number, ErrorCode> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The message of the transport's JSON-RPC error answer (`{jsonrpc, error: {code, message}, id: null}`). */
function transportMessage(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    const message = (parsed as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: said below
  }
  return 'the MCP request could not be read';
}

/**
 * `POST /mcp`, stateless (the SDK's stateless Streamable HTTP pattern): a
 * new McpServer and transport for each request, closed once it has answered,
 * so any replica of the gateway can take any request and nothing is kept
 * between them. Answers are plain JSON (`enableJsonResponse`): the tools
 * send no progress notifications, so there is nothing to stream.
 *
 * The web-standard transport answers with a `Response`, which lets the
 * gateway turn the transport's own refusals (a wrong Accept or Content-Type,
 * a body that is no JSON-RPC message) into the gateway's error format, the
 * one every error of the public API uses. JSON-RPC errors of a readable
 * request (an unknown method or tool) stay JSON-RPC answers, as MCP wants.
 */
export async function answerMcp(deps: McpEndpointDeps, exchange: McpExchange, res: ExpressResponse): Promise<void> {
  const server = new McpServer({ name: 'mnee-nexus', version: deps.version }, { instructions: INSTRUCTIONS });
  const caller: McpCaller = { agentId: exchange.agentId, ...(exchange.requestId === undefined ? {} : { requestId: exchange.requestId }) };
  registerPaidTools(server, deps, caller);
  registerFreeTools(server, deps, caller);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  const { status, contentType, text } = await (async () => {
    try {
      await server.connect(transport);
      const request = new Request('http://gateway.invalid/mcp', { method: 'POST', headers: webHeaders(exchange.headers) });
      const response = await transport.handleRequest(request, { parsedBody: exchange.message });
      return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
    } finally {
      await server.close();
    }
  })();
  if (status >= 400) throw new AppError(TRANSPORT_ERROR_CODES[status] ?? 'VALIDATION_ERROR', transportMessage(text), { status });
  res.status(status);
  if (contentType) res.setHeader('Content-Type', contentType);
  res.end(text);
}
