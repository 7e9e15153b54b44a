import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver for webhook tests on 127.0.0.1: records every request
 * it answers, answers `status()` (204 by default), and can go down and come
 * back on the same port.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** the status the next requests get */
  answer = 204;
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** the webhook-id of each request answered with a 2xx, in arrival order */
  get acceptedIds(): string[] {
    return this.accepted.map((request) => String(request.headers['webhook-id']));
  }

  private readonly accepted: ReceivedWebhook[] = [];

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        // a post the sender gave up on midway (its timeout, under load) is no delivery: it is tried again
        if (!req.complete) return;
        const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(request);
        if (this.answer >= 200 && this.answer < 300) this.accepted.push(request);
        res.statusCode = this.answer;
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Down: the port refuses connections until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
