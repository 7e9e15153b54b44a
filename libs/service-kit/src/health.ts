import type { RequestHandler } from 'express';
import { safeErrorText } from './safe-error-text';

/** A readiness check of one dependency; throws (or rejects) when it is not usable. */
export type HealthCheck = () => unknown;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  service: string;
  uptimeSeconds: number;
  checks: Record<string, { status: 'ok' | 'failing'; error?: string }>;
}

/** `GET /health`: 200 when every dependency answers, 503 naming the ones that do not. */
export function healthRoute(service: string, checks: Record<string, HealthCheck>): RequestHandler {
  return async (_req, res) => {
    const report: HealthReport = { status: 'ok', service, uptimeSeconds: Math.round(process.uptime()), checks: {} };
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          report.checks[name] = { status: 'ok' };
        } catch (error: unknown) {
          report.status = 'unavailable';
          // Never the upstream message as is: ethers puts the RPC URL, with its API key, in it.
          report.checks[name] = { status: 'failing', error: safeErrorText(error) };
        }
      }),
    );
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  };
}
