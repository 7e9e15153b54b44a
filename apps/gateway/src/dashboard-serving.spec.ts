import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARD_CSP } from './http/dashboard-assets';
import { errorOf } from './testing/api-checks';
import { startBackingStack, type BackingStack } from './testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from './testing/gateway-under-test';

/** The gateway serves the built operator's console at /dashboard/, same origin as the API, under a strict CSP. */

jest.setTimeout(120_000);

let stack: BackingStack;
let gateway: GatewayUnderTest;
let unbuilt: GatewayUnderTest;

beforeAll(async () => {
  const built = mkdtempSync(join(tmpdir(), 'nexus-dashboard-'));
  mkdirSync(join(built, 'assets'));
  writeFileSync(join(built, 'index.html'), '<!doctype html><script type="module" src="/dashboard/assets/app-1a2b.js"></script>');
  writeFileSync(join(built, 'assets', 'app-1a2b.js'), 'console.log("console")');
  stack = await startBackingStack();
  gateway = await createGatewayUnderTest(stack, { env: { DASHBOARD_DIR: built } });
  unbuilt = await createGatewayUnderTest(stack, { env: { DASHBOARD_DIR: mkdtempSync(join(tmpdir(), 'nexus-no-dashboard-')) } });
});

afterAll(async () => {
  await Promise.all([gateway?.close(), unbuilt?.close()]);
  await stack?.stopAll();
});

describe('the dashboard', () => {
  it('serves index.html at /dashboard/ without a key, never cached, under the strict CSP', async () => {
    const response = await gateway.http.get('/dashboard/').expect(200);
    expect(response.text).toContain('/dashboard/assets/app-1a2b.js');
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('allows no inline script or style and no other origin', () => {
    const directives = new Map(DASHBOARD_CSP.split('; ').map((part) => [part.split(' ')[0], part.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(DASHBOARD_CSP).not.toContain('unsafe');
  });

  it('redirects /dashboard to /dashboard/', async () => {
    const response = await gateway.http.get('/dashboard').expect(301);
    expect(response.headers['location']).toBe('/dashboard/');
  });

  it('serves hashed assets cached for a year, and a missing one is a 404 in the error format', async () => {
    const asset = await gateway.http.get('/dashboard/assets/app-1a2b.js').expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    errorOf(await gateway.http.get('/dashboard/assets/nope.js'), 404, 'NOT_FOUND');
  });

  it('keeps the API behind its keys: only the console itself is public', async () => {
    errorOf(await gateway.http.get('/agents'), 401, 'UNAUTHORIZED');
    // a path under /dashboard/ that climbs out reaches nothing of the API
    errorOf(await gateway.http.get('/dashboard/../agents'), 404, 'NOT_FOUND');
    errorOf(await gateway.http.get('/dashboard/assets/../../agents'), 404, 'NOT_FOUND');
  });

  it('says how to build the console where it is not built', async () => {
    const error = errorOf(await unbuilt.http.get('/dashboard/'), 404, 'NOT_FOUND');
    expect(error.message).toContain('nx build dashboard');
  });
});
