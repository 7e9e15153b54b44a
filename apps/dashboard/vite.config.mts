import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The operator's console (docs/dashboard.md): a single-page app the gateway serves at /dashboard/,
 * same origin as the API. `nx serve dashboard` proxies the API to a gateway on GATEWAY_URL.
 */
export default defineConfig({
  root,
  base: '/dashboard/',
  plugins: [react()],
  resolve: { alias: { '@nexus/types': `${workspace}/libs/types/src/index.ts` } },
  build: {
    outDir: `${workspace}/dist/apps/dashboard`,
    emptyOutDir: true,
    // the gateway's Content-Security-Policy allows no inline script or data: module
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1_000,
  },
  server: {
    port: 4200,
    proxy: Object.fromEntries(
      [
        '/agents',
        '/treasury',
        '/services',
        '/stats',
        '/transactions',
        '/policy',
        '/approvals',
        '/alerts',
        '/webhooks',
        '/events',
        '/whoami',
        '/tools',
      ].map((path) => [path, { target: process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:8000', changeOrigin: true }]),
    ),
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: [`${root}/src/testing/setup-tests.ts`],
    include: ['src/**/*.spec.{ts,tsx}'],
    restoreMocks: true,
  },
});
