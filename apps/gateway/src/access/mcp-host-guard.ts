import type { RequestHandler } from 'express';
import { AppError } from '@nexus/service-kit';
import type { McpAccess } from '../gateway-env';

/** The path the guard watches: the MCP endpoint (docs/mcp.md). */
export const MCP_PATH = '/mcp';

/** The host name of a `Host` header, port left out; undefined when it is not one (`[::1]` keeps its brackets). */
function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * DNS rebinding protection for `/mcp`, as the MCP specification asks of a
 * Streamable HTTP server: the `Host` must name one of the allowed host names
 * (any port, as the SDK's own `hostHeaderValidation` does) and an `Origin`,
 * when a browser sends one, must be an allowed origin. Done here rather than
 * with the SDK's middleware so the refusal is a 403 in the gateway's error
 * format, like every other error of the public API; and before the key is
 * checked, so a page on another site learns nothing about keys.
 */
export function mcpHostGuard(access: McpAccess): RequestHandler {
  return (req, _res, next) => {
    if (req.path !== MCP_PATH) return next();
    if (access.allowedHosts !== 'any') {
      const hostname = hostnameOf(req.get('host'));
      if (hostname === undefined || !access.allowedHosts.includes(hostname))
        return next(
          new AppError(
            'FORBIDDEN',
            `the MCP endpoint does not answer to this Host (allowed: ${access.allowedHosts.join(', ')}; MCP_ALLOWED_HOSTS)`,
          ),
        );
    }
    const origin = req.get('origin');
    if (origin !== undefined && access.allowedOrigins !== 'any' && !access.allowedOrigins.includes(origin))
      return next(new AppError('FORBIDDEN', 'the MCP endpoint does not answer to this Origin (MCP_ALLOWED_ORIGINS)'));
    next();
  };
}
