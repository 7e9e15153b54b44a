import { z } from 'zod';
import type { X402ServiceConfig } from '@nexus/config';

/** Any JSON object: an x402 service with `input: passthrough` checks its own input. */
const PASSTHROUGH = z.looseObject({});

/**
 * What an agent may send an x402 service: its JSON Schema from services.yaml
 * (checked before anything is held or paid, and shown to the agents' tools
 * and MCP), or any object for a passthrough.
 */
export function x402InputSchema(config: Pick<X402ServiceConfig, 'input'>): z.ZodObject {
  if (config.input === 'passthrough') return PASSTHROUGH;
  // The input of a paid call is an object (a query string or a JSON body): the gateway refuses at start a schema of anything else.
  return z.fromJSONSchema(config.input.schema) as z.ZodObject;
}
