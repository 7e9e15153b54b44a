import { z } from 'zod';
import { readEnvSchema } from '@nexus/config';

/** The logger's event streams: how often an idle stream gets a heartbeat, and how many this process serves at once. */
export interface StreamEnv {
  heartbeatMs: number;
  maxOpen: number;
}

const Schema = z.object({
  STREAM_HEARTBEAT_MS: z.coerce.number().int().min(50).max(300_000).default(15_000),
  STREAM_MAX_OPEN: z.coerce.number().int().min(1).max(100_000).default(1_000),
});

export function loadStreamEnv(env: NodeJS.ProcessEnv = process.env): StreamEnv {
  const read = readEnvSchema(Schema, env);
  return { heartbeatMs: read.STREAM_HEARTBEAT_MS, maxOpen: read.STREAM_MAX_OPEN };
}
