import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Response } from 'express';
import { AppError } from '@nexus/service-kit';

/** Where the operator's console is served, same origin as the API (docs/dashboard.md). */
export const DASHBOARD_PATH = '/dashboard';

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only — no inline
 * script or style, no other origin, no framing. Stricter than the API's (whose /docs page needs inline styles).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const YEAR_SECONDS = 365 * 86_400;

const secure = (res: Response) => {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('Referrer-Policy', 'no-referrer');
};

/**
 * Serves the built console (`nx build dashboard`, in `dir`): `index.html` never cached, the
 * hashed assets cached for a year. No key is needed to load it; every API call it makes needs one.
 */
export function dashboardAssets(dir: string): Router {
  const index = join(dir, 'index.html');
  const router = Router();
  router.use(DASHBOARD_PATH, (_req, res, next) => {
    secure(res);
    next();
  });
  router.get(DASHBOARD_PATH, (req, res, next) => {
    // `/dashboard` → `/dashboard/`, so the page's relative base holds
    if (req.originalUrl.split('?')[0] === DASHBOARD_PATH) return res.redirect(301, `${DASHBOARD_PATH}/`);
    next();
  });
  router.get([`${DASHBOARD_PATH}/`, `${DASHBOARD_PATH}/index.html`], (_req, res) => {
    if (!existsSync(index))
      throw new AppError('NOT_FOUND', `the dashboard is not built: run \`npx nx build dashboard\` (looked in ${dir})`);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  router.use(
    `${DASHBOARD_PATH}/assets`,
    express.static(join(dir, 'assets'), { immutable: true, maxAge: YEAR_SECONDS * 1_000, index: false, fallthrough: true }),
  );
  return router;
}
