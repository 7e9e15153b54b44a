import type { Response } from 'express';
import { AppError } from '@nexus/service-kit';

/** Who is calling: the admin key, or an agent's own key. */
export type Caller = { kind: 'admin' } | { kind: 'agent'; agentId: string };

export function callerOf(res: Response): Caller | undefined {
  const caller: unknown = res.locals['caller'];
  return typeof caller === 'object' && caller !== null && 'kind' in caller ? (caller as Caller) : undefined;
}

/** A short, key-free name of the caller for logs and rate limits. */
export function callerName(caller: Caller): string {
  return caller.kind === 'admin' ? 'admin' : `agent:${caller.agentId}`;
}

/**
 * The agent a call acts as. An agent key acts as its own agent only: naming
 * another is a 403. The admin key must name one (there is no default agent).
 */
export function actingAgent(caller: Caller, requested: string | undefined): string {
  switch (caller.kind) {
    case 'agent':
      if (requested !== undefined && requested !== caller.agentId)
        throw new AppError('FORBIDDEN', `this key acts as ${caller.agentId} only, not as ${requested}`);
      return caller.agentId;
    case 'admin':
      if (requested === undefined)
        throw new AppError('VALIDATION_ERROR', 'agentId is required with the admin key', {
          details: [{ path: 'agentId', message: 'is required with the admin key' }],
        });
      return requested;
  }
}

/** A filter on agents: an agent key sees only its own agent; the admin key sees what it asks for. */
export function agentFilter(caller: Caller, requested: string | undefined): string | undefined {
  return caller.kind === 'admin' ? requested : actingAgent(caller, requested);
}
