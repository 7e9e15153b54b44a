import type { RequestHandler } from 'express';
import { AppError, bearerToken, secretsEqual } from '@nexus/service-kit';
import type { Caller } from './caller';

export interface ApiKeys {
  admin: string;
  /** agent id → key */
  agents: ReadonlyMap<string, string>;
}

/**
 * Finds the caller of a bearer key. Every key is compared, in constant time,
 * whatever matches first, so the time taken says nothing about which key (or
 * how much of one) was right.
 */
export function identify(keys: ApiKeys, given: string): Caller | undefined {
  let found: Caller | undefined = secretsEqual(given, keys.admin) ? { kind: 'admin' } : undefined;
  for (const [agentId, key] of keys.agents) {
    if (secretsEqual(given, key) && found === undefined) found = { kind: 'agent', agentId };
  }
  return found;
}

/** Redeems a stream ticket (`POST /events/tickets`) for the caller it was issued to. */
export interface TicketRedeemer {
  redeem(ticket: string): Promise<Caller | undefined>;
}

/** The one route a ticket opens: a browser's EventSource cannot send a header. */
const TICKET_PATH = '/events/stream';

/**
 * `Authorization: Bearer <key>` on every path but the public ones; the caller
 * lands in `res.locals.caller`. `GET /events/stream` without a key may give a
 * `ticket` query parameter instead, used up by this request.
 */
export function authenticate(keys: ApiKeys, isPublic: (method: string, path: string) => boolean, tickets?: TicketRedeemer): RequestHandler {
  return async (req, res, next) => {
    if (isPublic(req.method, req.path)) return next();
    const given = bearerToken(req.get('authorization'));
    const ticket: unknown = req.query['ticket'];
    const useTicket = given === undefined && tickets !== undefined && req.method === 'GET' && req.path === TICKET_PATH;
    if (useTicket && typeof ticket === 'string') {
      const holder = await tickets.redeem(ticket);
      if (holder) {
        res.locals['caller'] = holder;
        return next();
      }
      return next(new AppError('UNAUTHORIZED', 'unknown, used or expired stream ticket (POST /events/tickets gives a new one)'));
    }
    const caller = given === undefined ? undefined : identify(keys, given);
    if (caller) {
      res.locals['caller'] = caller;
      return next();
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="mnee-nexus"');
    next(new AppError('UNAUTHORIZED', given === undefined ? 'missing bearer key (Authorization: Bearer <key>)' : 'unknown key'));
  };
}
