import { createServer, type Server } from 'node:http';

/**
 * A loopback JSON-RPC proxy in front of a Hardhat node, to cut the chain off
 * at the worst moments: `down()` refuses connections; `dropNextSend()`
 * forwards the next eth_sendRawTransaction to the node (so it lands), then
 * drops the connection without an answer and goes down; `swallowNextSend()`
 * does the same without forwarding it (the node never hears of it, as when
 * a node restarts and loses its mempool).
 */
export interface RpcProxy {
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  dropNextSend(): void;
  swallowNextSend(): void;
}

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  let dropSend = false;
  let swallowSend = false;
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    if (server) return;
    const created = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        void (async () => {
          if (swallowSend && body.includes('eth_sendRawTransaction')) {
            swallowSend = false;
            req.socket.destroy();
            await proxy.down();
            return;
          }
          const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const answer = await upstream.text();
          if (dropSend && body.includes('eth_sendRawTransaction')) {
            dropSend = false;
            req.socket.destroy();
            await proxy.down();
            return;
          }
          res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(answer);
        })().catch(() => req.socket.destroy());
      });
    });
    await new Promise<void>((resolve, reject) => created.once('error', reject).listen(port, '127.0.0.1', resolve));
    const address = created.address();
    if (typeof address === 'object' && address) port = address.port;
    server = created;
  };

  const proxy: RpcProxy = {
    url: '',
    down: async () => {
      const current = server;
      server = undefined;
      if (!current) return;
      current.closeAllConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    up: listen,
    dropNextSend: () => {
      dropSend = true;
    },
    swallowNextSend: () => {
      swallowSend = true;
    },
  };
  await listen();
  proxy.url = `http://127.0.0.1:${port}`;
  return proxy;
}
