import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JsonRpcProvider } from 'ethers';
import { connectRpc } from './connect';
import { isTransientRpcError, rpcFailureText } from './rpc-errors';

describe('rpcFailureText', () => {
  let server: Server;
  let provider: JsonRpcProvider;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end('internal error');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    provider = connectRpc(`http://user:secret@127.0.0.1:${(server.address() as AddressInfo).port}/v1/apikey123`, 31337);
  });
  afterAll(async () => {
    provider?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("tells an RPC node's HTTP 500 by its code, never with the RPC URL ethers puts in the message", async () => {
    const error: unknown = await provider.getBlockNumber().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect((error as Error).message).toMatch(/user:secret@.*apikey123/);
    expect(isTransientRpcError(error)).toBe(true);
    expect(rpcFailureText(error)).toBe('SERVER_ERROR: server response 500 Internal Server Error');
  });

  it('redacts the URL of an error that has no code, and names a socket code as is', () => {
    expect(rpcFailureText(new Error('could not reach https://key:pw@rpc.example/v3/apikey123'))).toBe(
      'could not reach https://rpc.example/[redacted]',
    );
    expect(rpcFailureText(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
  });
});
