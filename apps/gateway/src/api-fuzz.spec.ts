import fc from 'fast-check';
import { listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';
import { ErrorBody } from '@nexus/types';
import type { AnyRoute } from './http/route-spec';
import { requestAnywhere, requestTo, type FuzzRequest } from './testing/api-arbitraries';
import { internalsShown } from './testing/api-checks';
import { startBackingStack, type BackingStack } from './testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from './testing/gateway-under-test';
import { rawRequest } from './testing/raw-http';
import { routeList, routeName } from './testing/route-list';

/**
 * Property: whatever a client sends to any route of the public API (random
 * and malformed path parameters, query strings, JSON and non-JSON bodies,
 * keys and headers, with the admin key, an agent key, a junk key or none),
 * the gateway over the real services never answers 5xx, always answers an
 * error in the error format, never shows a stack trace or a file path, and a
 * success matches the route's documented schema. No service is stopped here,
 * so 502/503/504 are failures too. Paid calls that get through may spend the
 * budgets down; the policy then rejects them, which is a 200.
 */

jest.setTimeout(120_000);

/** Runs per route; the routes that reach the most services get more. */
const RUNS_PER_ROUTE = 50;
const MORE_RUNS: Record<string, number> = { 'POST /tools/:serviceId/invoke': 150, 'POST /chat': 100, 'POST /policy/simulate': 80 };
const RUNS_ANYWHERE = 100;

const routes = routeList();
let stack: BackingStack;
let gateway: GatewayUnderTest;
let server: LoopbackServer;

beforeAll(async () => {
  stack = await startBackingStack();
  // The rate limit would only turn the later runs into 429s: set it out of reach.
  gateway = await createGatewayUnderTest(stack, { env: { RATE_LIMIT_MAX: '1000000' } });
  server = await listenOnLoopback(gateway.gateway.app);
});

afterAll(async () => {
  await server?.close();
  await gateway?.close();
  await stack?.stopAll();
});

function headersOf(request: FuzzRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  if (request.caller === 'junk') headers['Authorization'] = request.authorization ?? '';
  else if (request.caller !== 'none') headers['Authorization'] = gateway.auth(request.caller).Authorization;
  if (request.idempotencyKey !== undefined) headers['Idempotency-Key'] = request.idempotencyKey;
  if (request.requestId !== undefined) headers['X-Request-Id'] = request.requestId;
  if (request.body?.contentType) headers['Content-Type'] = request.body.contentType;
  if (request.body?.contentEncoding) headers['Content-Encoding'] = request.body.contentEncoding;
  return headers;
}

/** What is wrong with the gateway's answer to this request; undefined when nothing is. */
async function problemWith(request: FuzzRequest, route?: AnyRoute): Promise<string | undefined> {
  const response = await rawRequest(server.port, {
    method: request.method,
    path: request.path,
    headers: headersOf(request),
    ...(request.body ? { body: request.body.data } : {}),
  });
  const { status, text } = response;
  const said = `${status} ${text.slice(0, 400)}`;
  if (status >= 500) return `answered ${said}`;
  const isJson = /^application\/json\b/.test(response.headers['content-type'] ?? '');
  let parsed: unknown;
  if (isJson) {
    try {
      parsed = JSON.parse(text);
    } catch {
      return `answered JSON that does not parse: ${said}`;
    }
  }
  if (status >= 400) {
    if (!isJson) return `answered an error that is not JSON (${response.headers['content-type'] ?? 'no content type'}): ${said}`;
    if (!ErrorBody.safeParse(parsed).success) return `answered an error that is not ErrorBody: ${said}`;
  }
  const leak = internalsShown(text, parsed);
  if (leak) return `answered with ${leak}: ${said}`;
  const documented = route?.responses[status];
  // an event stream's schema is of each event's data, not of a JSON body
  const schema = (documented?.contentType ?? 'application/json') === 'application/json' ? documented?.schema : undefined;
  if (schema && !schema.safeParse(parsed).success) return `answered ${status} with a body that is not its documented schema: ${said}`;
  return undefined;
}

const describeRequest = (request: FuzzRequest) =>
  `${request.method} ${request.path.slice(0, 300)} as ${request.caller}${request.body ? ` with ${request.body.label}` : ''}`;

it('covers every route of the table', () => {
  expect(routes.length).toBeGreaterThanOrEqual(17);
});

it.each(routes.map((route) => [routeName(route), route] as const))(
  '%s: no 5xx, errors in the error format, no stack trace, whatever is sent',
  async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(requestTo(route), async (request) => {
        const problem = await problemWith(request, route);
        if (problem) throw new Error(`${describeRequest(request)} → ${problem}`);
      }),
      { numRuns: MORE_RUNS[routeName(route)] ?? RUNS_PER_ROUTE },
    );
  },
);

it('any method on any path: no 5xx, errors in the error format, no stack trace', async () => {
  await fc.assert(
    fc.asyncProperty(requestAnywhere, async (request) => {
      const problem = await problemWith(request);
      if (problem) throw new Error(`${describeRequest(request)} → ${problem}`);
    }),
    { numRuns: RUNS_ANYWHERE },
  );
});
