import { GatewayHealth } from '@nexus/types';
import { openApiPath } from '../http/mount-routes';
import type { Method } from '../http/route-spec';
import { errorOf, validationErrorOf } from '../testing/api-checks';
import { startBackingStack, type BackingStack } from '../testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from '../testing/gateway-under-test';
import { fillPath, routeList, routeName } from '../testing/route-list';

/**
 * The edge of the public API over the real services: what is public, keys,
 * rate limits, CORS, security headers, bodies the gateway cannot read, and
 * the docs. Every error answer is checked against the error format.
 */

jest.setTimeout(120_000);

let stack: BackingStack;
/** the defaults: no CORS, 100kb bodies, a generous rate limit */
let gateway: GatewayUnderTest;
/** RATE_LIMIT_MAX=5 */
let limited: GatewayUnderTest;
/** CORS for http://example.test, 2kb bodies */
let configured: GatewayUnderTest;
/** AUTH_FAILURE_LIMIT_MAX=3 */
let guarded: GatewayUnderTest;

beforeAll(async () => {
  stack = await startBackingStack();
  gateway = await createGatewayUnderTest(stack);
  limited = await createGatewayUnderTest(stack, { env: { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_SECONDS: '3600' } });
  configured = await createGatewayUnderTest(stack, { env: { CORS_ORIGINS: 'http://example.test', GATEWAY_BODY_LIMIT: '2kb' } });
  guarded = await createGatewayUnderTest(stack, { env: { AUTH_FAILURE_LIMIT_MAX: '3', AUTH_FAILURE_WINDOW_SECONDS: '3600' } });
});

afterAll(async () => {
  await Promise.all([gateway?.close(), limited?.close(), configured?.close(), guarded?.close()]);
  await stack?.stopAll();
});

const routes = routeList();
/** A real id for every path parameter, so a route is reached (and refused only for the reason tested). */
const samplePath = (path: string) => fillPath(path, { id: 'user-agent', serviceId: 'PRICE_ORACLE' });
const request = (target: GatewayUnderTest, method: Method, path: string) => target.http[method](path);

describe('public routes', () => {
  it('GET / answers without a key with the gateway, its dependencies and the payment mode', async () => {
    const response = await gateway.http.get('/').expect(200);
    const health = GatewayHealth.parse(response.body);
    expect(health).toMatchObject({ status: 'ok', service: 'gateway', mode: 'mock' });
    expect(health.dependencies).toEqual({ policy: { status: 'ok' }, payment: { status: 'ok' }, logger: { status: 'ok' } });
  });

  it('GET /health answers without a key with the store, policy and payment checks', async () => {
    const response = await gateway.http.get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      service: 'gateway',
      checks: { store: { status: 'ok' }, policy: { status: 'ok' }, payment: { status: 'ok' } },
    });
  });

  it('GET /metrics counts a paid call in gateway_paid_calls_total', async () => {
    const served = async () => {
      const text = (await gateway.http.get('/metrics').expect(200)).text;
      return Number(/^gateway_paid_calls_total\{service="PRICE_ORACLE",outcome="served"\} (\d+)$/m.exec(text)?.[1] ?? '0');
    };
    const before = await served();
    await gateway.http
      .post('/tools/PRICE_ORACLE/invoke')
      .set(gateway.auth('user-agent'))
      .send({ input: { base: 'ETH' } })
      .expect(200);
    const metrics = await gateway.http.get('/metrics').expect(200);
    expect(metrics.type).toBe('text/plain');
    expect(metrics.text).toContain('# TYPE gateway_paid_calls_total counter');
    expect(await served()).toBe(before + 1);
  });

  it('GET /openapi.json documents every route of the table with its method, the bearer scheme and the public exceptions', async () => {
    const response = await gateway.http.get('/openapi.json').expect(200);
    expect(response.type).toBe('application/json');
    const document = JSON.parse(response.text) as {
      openapi: string;
      info: { title: string; version: string };
      security: unknown;
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security?: unknown[] }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title.length).toBeGreaterThan(0);
    expect(document.components.securitySchemes['bearerKey']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearerKey: [] }]);

    for (const route of routes) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method];
      expect({ route: routeName(route), documented: operation !== undefined }).toEqual({ route: routeName(route), documented: true });
      expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(Object.keys(route.responses)));
      if (route.access === 'public') expect(operation?.security).toEqual([]);
      else expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['401', '429']));
    }
    // Every route of the public API (docs/architecture.md §6).
    const design = [
      'get /',
      'post /chat',
      'post /tools/{serviceId}/invoke',
      'get /treasury',
      'get /agents',
      'get /agents/{id}',
      'put /agents/{id}/budget',
      'post /agents/{id}/pause',
      'post /agents/{id}/resume',
      'get /services',
      'get /services/{id}',
      'get /transactions',
      'get /policy/logs',
      'post /policy/simulate',
      'get /stats',
      'get /stats/history',
      'post /reset',
      'get /events/stream',
      'post /events/tickets',
      'get /alerts',
      'post /mcp',
      'get /docs',
      'get /openapi.json',
      'get /metrics',
    ];
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m} ${path}`));
    expect(documented).toEqual(expect.arrayContaining(design));
    const operationIds = Object.values(document.paths).flatMap((operations) => Object.values(operations).map((op) => op.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);

    // Every $ref points at something in the document.
    const refs: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === 'object' && value !== null)
        for (const [key, inner] of Object.entries(value)) {
          if (key === '$ref' && typeof inner === 'string') refs.push(inner);
          else collect(inner);
        }
    };
    collect(document);
    for (const ref of refs) {
      expect(ref.startsWith('#/')).toBe(true);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, part) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined),
          document,
        );
      expect({ ref, resolves: target !== undefined }).toEqual({ ref, resolves: true });
    }
  });

  it('GET /docs serves the Swagger UI page and its assets without a key', async () => {
    const redirect = await gateway.http.get('/docs');
    expect(redirect.status).toBe(301);
    expect(redirect.headers['location']).toBe('/docs/');
    const page = await gateway.http.get('/docs/').expect(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('swagger-ui');
    expect(page.text).toContain('MNEE Nexus API');
    const css = await gateway.http.get('/docs/swagger-ui.css').expect(200);
    expect(css.type).toBe('text/css');
    const bundle = await gateway.http.get('/docs/swagger-ui-bundle.js').expect(200);
    expect(bundle.type).toMatch(/javascript$/);
    const init = await gateway.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"openapi": "3.1.0"');
    expect(init.text).toContain('/tools/{serviceId}/invoke');
  });
});

describe('keys', () => {
  const keyed = routes.filter((route) => route.access !== 'public');

  it.each(keyed.map((route) => [routeName(route), route] as const))(
    '%s without a key answers 401 with WWW-Authenticate',
    async (_name, route) => {
      const response = await request(gateway, route.method, samplePath(route.path));
      errorOf(response, 401, 'UNAUTHORIZED');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    },
  );

  it('an unknown key, a key in another scheme and an empty bearer all answer 401', async () => {
    for (const authorization of ['Bearer not-a-key-of-this-gateway', 'Basic dXNlcjpwYXNz', 'Bearer ', `Bearer ${gateway.adminKey}x`]) {
      const response = await gateway.http.get('/agents').set('Authorization', authorization);
      errorOf(response, 401, 'UNAUTHORIZED');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.text).not.toContain(gateway.adminKey);
    }
  });

  it('a key of another gateway is unknown here', async () => {
    errorOf(await gateway.http.get('/agents').set(limited.auth('admin')), 401, 'UNAUTHORIZED');
  });

  it.each(routes.filter((route) => route.access === 'admin').map((route) => [routeName(route), route] as const))(
    '%s answers 403 to an agent key, even for its own agent',
    async (_name, route) => {
      const response = await request(gateway, route.method, samplePath(route.path)).set(gateway.auth('user-agent'));
      errorOf(response, 403, 'FORBIDDEN');
    },
  );

  it('an unknown path answers 404 NOT_FOUND to a key, and 401 without one', async () => {
    errorOf(await gateway.http.get('/no/such/route').set(gateway.auth('admin')), 404, 'NOT_FOUND');
    errorOf(await gateway.http.delete('/agents/user-agent').set(gateway.auth('admin')), 404, 'NOT_FOUND');
    errorOf(await gateway.http.get('/no/such/route'), 401, 'UNAUTHORIZED');
  });
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED to a key past RATE_LIMIT_MAX while another key still passes', async () => {
    for (let call = 1; call <= 5; call += 1) {
      const response = await limited.http.get('/agents').set(limited.auth('user-agent'));
      expect({ call, status: response.status }).toEqual({ call, status: 200 });
    }
    const refused = await limited.http.get('/agents').set(limited.auth('user-agent'));
    errorOf(refused, 429, 'RATE_LIMITED');
    expect(refused.headers['ratelimit-policy']).toBeDefined();
    await limited.http.get('/agents').set(limited.auth('batch-agent')).expect(200);
    await limited.http.get('/treasury').set(limited.auth('admin')).expect(200);
    errorOf(await limited.http.post('/chat').set(limited.auth('user-agent')).send({ message: 'hello' }), 429, 'RATE_LIMITED');
  });
});

describe('failed authentications', () => {
  it('answer 429 to an address past AUTH_FAILURE_LIMIT_MAX failures, even with a right key then, while public routes still answer', async () => {
    // successes do not count, however many are in flight at once
    for (let call = 0; call < 5; call += 1) await guarded.http.get('/agents').set(guarded.auth('user-agent')).expect(200);
    const burst = await Promise.all(Array.from({ length: 12 }, () => guarded.http.get('/agents').set(guarded.auth('user-agent'))));
    expect(burst.map((response) => response.status)).toEqual(Array.from({ length: 12 }, () => 200));
    errorOf(await guarded.http.get('/agents'), 401, 'UNAUTHORIZED');
    errorOf(await guarded.http.get('/agents').set('Authorization', 'Bearer guessed-key-0123456789'), 401, 'UNAUTHORIZED');
    errorOf(await guarded.http.get('/treasury').set('Authorization', `Bearer ${guarded.adminKey}x`), 401, 'UNAUTHORIZED');

    const refused = await guarded.http.get('/agents').set('Authorization', 'Bearer another-guess-0123456789');
    errorOf(refused, 429, 'RATE_LIMITED');
    expect(refused.body.error.message).toMatch(/too many failed authentications/);
    expect(refused.headers['retry-after']).toBe('3600');
    // a right guess can no longer be told from a wrong one
    errorOf(await guarded.http.get('/treasury').set(guarded.auth('admin')), 429, 'RATE_LIMITED');
    await guarded.http.get('/health').expect(200);
  });
});

describe('bodies', () => {
  it.each([
    ['POST /chat', 'post', '/chat'],
    ['POST /policy/simulate', 'post', '/policy/simulate'],
    ['PUT /agents/:id/budget', 'put', '/agents/user-agent/budget'],
    ['POST /tools/:serviceId/invoke', 'post', '/tools/PRICE_ORACLE/invoke'],
  ] as const)('%s answers 400 MALFORMED_JSON to a body that is not JSON', async (_name, method, path) => {
    for (const body of ['{"message": ', "{'message': 'hi'}", '{"a": 1,}', 'NaN', '"just a string"', '']) {
      const response = await request(gateway, method, path).set(gateway.auth('admin')).set('Content-Type', 'application/json').send(body);
      if (body === '') validationErrorOf(response, []);
      else errorOf(response, 400, 'MALFORMED_JSON');
    }
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over GATEWAY_BODY_LIMIT, and reads the same body under a larger limit', async () => {
    const body = { serviceId: 'PRICE_ORACLE', padding: 'x'.repeat(3_000) };
    errorOf(await configured.http.post('/policy/simulate').set(configured.auth('user-agent')).send(body), 413, 'PAYLOAD_TOO_LARGE');
    validationErrorOf(await gateway.http.post('/policy/simulate').set(gateway.auth('user-agent')).send(body), ['body']);
    await configured.http.post('/policy/simulate').set(configured.auth('user-agent')).send({ serviceId: 'PRICE_ORACLE' }).expect(200);
  });

  it('answers 400 to a body that does not inflate and to a path that is not percent-encoding, never 500', async () => {
    const gzip = await gateway.http
      .post('/policy/simulate')
      .set(gateway.auth('user-agent'))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('this is not gzip');
    errorOf(gzip, 400, 'MALFORMED_JSON');
    errorOf(await gateway.http.get('/agents/%E0%A4%A').set(gateway.auth('admin')), 400, 'VALIDATION_ERROR');
    errorOf(await gateway.http.get('/services/%zz').set(gateway.auth('admin')), 400, 'VALIDATION_ERROR');
  });

  it('answers 415 to a charset it cannot read', async () => {
    const response = await gateway.http
      .post('/chat')
      .set(gateway.auth('user-agent'))
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"message": "hi"}');
    errorOf(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('CORS and security headers', () => {
  it('answers a preflight from an allowed origin with Access-Control-Allow-Origin when CORS_ORIGINS names it', async () => {
    const preflight = await configured.http
      .options('/agents')
      .set('Origin', 'http://example.test')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://example.test');
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    // A browser MCP client's and a resuming stream's headers pass the preflight too.
    for (const header of ['Mcp-Protocol-Version', 'X-Nexus-Agent', 'Last-Event-ID'])
      expect(String(preflight.headers['access-control-allow-headers'])).toContain(header);
    const get = await configured.http.get('/agents').set('Origin', 'http://example.test').set(configured.auth('admin')).expect(200);
    expect(get.headers['access-control-allow-origin']).toBe('http://example.test');
  });

  it('gives no CORS header to an origin CORS_ORIGINS does not name', async () => {
    const preflight = await configured.http
      .options('/agents')
      .set('Origin', 'http://evil.test')
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives no CORS header at all without CORS_ORIGINS', async () => {
    const preflight = await gateway.http
      .options('/agents')
      .set('Origin', 'http://example.test')
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const get = await gateway.http.get('/agents').set('Origin', 'http://example.test').set(gateway.auth('admin')).expect(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends helmet headers on answers and on errors, and no X-Powered-By', async () => {
    for (const response of [await gateway.http.get('/'), await gateway.http.get('/agents'), await gateway.http.get('/docs/')]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });
});
