import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { JsonRpcProvider, Network } from 'ethers';
import request from 'supertest';
import winston from 'winston';
import { AppError } from './app-error';
import { createServiceApp } from './create-service-app';
import { describeError } from './describe-error';
import { createLogger, createSilentLogger } from './logger';

const SECRETS = /secret|apikey123|user:/;

/**
 * ethers puts the RPC URL, with its credentials and API key, in the message
 * of an HTTP error: a node that answers 500 shows it. Nothing that leaves the
 * process (health, error answers, logs) may carry it.
 */
describe('an RPC error that names its URL with credentials and an API key', () => {
  let server: Server;
  let provider: JsonRpcProvider;
  let rpcError: unknown;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end('internal error');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    provider = new JsonRpcProvider(`http://user:secret@127.0.0.1:${port}/v1/apikey123`, 31337, { staticNetwork: Network.from(31337) });
    rpcError = await provider.getBlockNumber().then(
      () => undefined,
      (error: unknown) => error,
    );
  });
  afterAll(async () => {
    provider?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('does carry them in its message (what the redaction is for)', () => {
    expect(rpcError).toBeInstanceOf(Error);
    expect((rpcError as Error).message).toMatch(SECRETS);
  });

  it('is reported by /health by its code, without the URL', async () => {
    const app = createServiceApp({
      name: 'payment',
      logger: createSilentLogger(),
      routes: () => undefined,
      healthChecks: { chain: () => provider.getBlockNumber() },
    });
    const response = await request(app).get('/health').expect(503);
    expect(response.body.checks.chain).toEqual({ status: 'failing', error: 'SERVER_ERROR: server response 500 Internal Server Error' });
    expect(JSON.stringify(response.body)).not.toMatch(SECRETS);
  });

  it('is answered without the URL when an error message quotes it', async () => {
    const app = createServiceApp({
      name: 'payment',
      logger: createSilentLogger(),
      routes: (router) => {
        router.get('/pay', () => {
          throw new AppError('CHAIN_UNAVAILABLE', `the chain RPC did not answer: ${(rpcError as Error).message}`);
        });
      },
    });
    const response = await request(app).get('/pay').expect(503);
    expect(response.body.error.message).toMatch(/^the chain RPC did not answer: server response 500/);
    expect(JSON.stringify(response.body)).not.toMatch(SECRETS);
  });

  it('is logged without the URL, whether as a described error, a message or an error object', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger('payment', { level: 'info', transports: [new winston.transports.Stream({ stream })] });
    logger.error('settlement failed', { error: describeError(rpcError) });
    logger.warn(`rpc down: ${(rpcError as Error).message}`, { nested: { detail: [(rpcError as Error).message] } });
    logger.error('raw', { error: rpcError });
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toMatch(/127\.0\.0\.1:\d+\/\[redacted\]/);
    expect(lines.join('\n')).not.toMatch(SECRETS);
    expect(JSON.stringify(describeError(rpcError))).not.toMatch(SECRETS);
  });
});
