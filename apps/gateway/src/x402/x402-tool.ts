import type { z } from 'zod';
import type { PaidToolSpec } from '../agents/tool-schemas';
import type { X402PaidService } from '../services/service-directory';
import { x402ToolName } from './x402-tool-name';

/**
 * The paid tool of an x402 service (docs/x402.md, "Paying x402 APIs"), for
 * the agents and MCP alike: `x402_<service id>`, the input schema of
 * services.yaml, the price of its 402 answer under the agent's policy.
 */
export function x402Tool(service: X402PaidService): PaidToolSpec<z.ZodObject> {
  const { config, inputSchema } = service;
  const what = config.description ? `${config.name}: ${config.description}` : config.name;
  return {
    name: x402ToolName(config.id),
    serviceId: config.id,
    description: `${what}. An external x402 API, paid in MNEE at the price its 402 answer asks (at most ${config.maxPrice}); the policy may reject it.`,
    schema: inputSchema,
    toRequest: (args) => ({ variant: undefined, input: inputSchema.safeParse(args) as z.ZodSafeParseResult<Record<string, unknown>> }),
  };
}
