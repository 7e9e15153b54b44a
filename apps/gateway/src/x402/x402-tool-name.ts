import type { ToolName } from '@nexus/types';

/** The agents' and MCP's tool for an x402 service: `x402_` and its id in lower case (EXT_WEATHER → x402_ext_weather). */
export function x402ToolName(serviceId: string): Extract<ToolName, `x402_${string}`> {
  return `x402_${serviceId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}
