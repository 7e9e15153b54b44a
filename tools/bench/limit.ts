import { resolve } from 'node:path';
import { freePort } from '@nexus/chain/testing';
import { startNode } from './node-process';
import type { LoadRow } from './report';
import { measureSeries } from './series';
import type { BenchSettings } from './settings';

/** Connection counts of the limit: those of the policy (1, 10, 50) and of the gateway (1, 20). */
export const LIMIT_CONNECTIONS = [1, 10, 20, 50] as const;

/** The limit: a bare Express route answering a small JSON body (bare-server.ts), under the same load as the services. */
export async function benchLimit(settings: BenchSettings): Promise<LoadRow[]> {
  const port = await freePort();
  const server = await startNode({
    args: ['--import', 'tsx', resolve(__dirname, 'bare-server.ts')],
    env: { PORT: String(port) },
    healthUrl: `http://127.0.0.1:${port}/health`,
  });
  try {
    return await measureSeries({
      kind: 'limit',
      target: 'bare Express (the limit)',
      spec: {
        url: `http://127.0.0.1:${port}`,
        method: 'POST',
        path: '/decisions',
        headers: { 'content-type': 'application/json' },
        body: (n) => JSON.stringify({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', idempotencyKey: `limit-${n}` }),
        expectStatus: 201,
      },
      connections: LIMIT_CONNECTIONS,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      watched: () => [{ project: 'bare Express', pid: server.pid }],
    });
  } finally {
    await server.stop();
  }
}
