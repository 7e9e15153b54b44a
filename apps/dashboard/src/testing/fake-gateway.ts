import { vi } from 'vitest';

export interface FakeCall {
  method: string;
  /** path and query, e.g. `/transactions?agentId=a` */
  path: string;
  body: unknown;
  authorization: string | null;
}

export type FakeAnswer = { status: number; body?: unknown };
/** `'GET /agents'` → the body to answer (200), or a function of the call giving status and body. */
export type FakeRoutes = Record<string, unknown>;

const json = (status: number, body: unknown) =>
  // a 204 (or any answer without a body) has no body at all
  body === undefined || status === 204
    ? new Response(null, { status })
    : new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * Stands in for the gateway at the wire: `fetch` answers from a table of `'METHOD /path'`
 * (the path without its query), and every call is kept for the test to check. A call the table
 * does not know answers 404 in the API's error format, so a missing stub shows in the screen.
 */
export function fakeGateway(routes: FakeRoutes) {
  const calls: FakeCall[] = [];
  const table: FakeRoutes = { 'POST /events/tickets': { ticket: 'tkt_test', expiresAt: '2030-01-01T00:00:00.000Z' }, ...routes };
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://gateway.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method, path: `${url.pathname}${url.search}`, body, authorization: headers.get('authorization') };
    calls.push(call);
    const route = table[`${method} ${url.pathname}`];
    if (route === undefined) return json(404, { error: { code: 'NOT_FOUND', message: `no fake for ${method} ${url.pathname}` } });
    if (typeof route === 'function') {
      const answer = (route as (call: FakeCall) => FakeAnswer)(call);
      return json(answer.status, answer.body);
    }
    return json(200, route);
  });
  vi.stubGlobal('fetch', fetch);
  return {
    calls,
    /** the calls of one method and path (query left out) */
    callsTo: (method: string, path: string) => calls.filter((call) => call.method === method && call.path.split('?')[0] === path),
    /** changes or adds an answer while the test runs */
    answer: (route: string, answer: unknown) => {
      table[route] = answer;
    },
  };
}
