import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface LoopbackServer {
  url: string;
  port: number;
  /** stops listening and cuts every open connection (a held request included) */
  close: () => Promise<void>;
}

/** Serves an Express app on 127.0.0.1 (`port` 0: any free one) for tests over real HTTP. */
export async function listenOnLoopback(app: Express, port = 0): Promise<LoopbackServer> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
