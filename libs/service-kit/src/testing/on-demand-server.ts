import type { Express } from 'express';
import { listenOnLoopback, type LoopbackServer } from './loopback-server';

/** A service under test that tests call in process (supertest) and, once `listen` is called, over real HTTP. */
export interface OnDemandServer {
  /** Base URL once `listen` has been called. */
  url: string;
  /** Serves the app on a loopback port of its own (for real HTTP from clients). */
  listen: () => Promise<string>;
  /** stops listening (when it did), then closes the service */
  close: () => Promise<void>;
}

/** Serves `app` on a loopback port when asked; `close` stops that and then calls `closeService`. */
export function serveOnDemand(app: Express, closeService: () => Promise<void>): OnDemandServer {
  let server: LoopbackServer | undefined;
  const served: OnDemandServer = {
    url: '',
    listen: async () => {
      server = await listenOnLoopback(app);
      served.url = server.url;
      return served.url;
    },
    close: async () => {
      await server?.close();
      await closeService();
    },
  };
  return served;
}
