import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';
import { useGatewayOverStack } from '../testing/gateway-suite';

jest.setTimeout(180_000);

/**
 * The MCP server in chain mode: the payment service pays through the router
 * on a fresh Hardhat node, and the provider checks the transaction itself.
 * A paid tool's `_meta` carries that transaction's hash.
 */
describe('the MCP server on the gateway, chain mode', () => {
  const suite = useGatewayOverStack({ mode: 'chain' });
  let server: LoopbackServer;
  let client: Client;

  beforeAll(async () => {
    server = await listenOnLoopback(suite.gw.gateway.app);
    client = new Client({ name: 'mcp-chain-spec', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: suite.gw.auth('user-agent') } }),
    );
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('get_price pays once on chain and returns the price with the payment and its transaction hash in _meta', async () => {
    const before = await suite.probe.payments({ agentId: 'user-agent' });
    const result = CallToolResultSchema.parse(await client.callTool({ name: 'get_price', arguments: { base: 'ETH' } }));

    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ base: 'ETH', quote: 'USD' });
    expect(result._meta).toMatchObject({
      decision: { action: 'ALLOWED', amount: '0.05' },
      payment: { status: 'SUCCESS', amount: '0.05', txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
      refund: null,
    });
    const payment = (result._meta as { payment: { id: string; txHash: string } }).payment;
    const after = await suite.probe.payments({ agentId: 'user-agent' });
    expect(after).toHaveLength(before.length + 1);
    expect(after.find((p) => p.id === payment.id)).toMatchObject({ status: 'SUCCESS', mode: 'chain', txHash: payment.txHash });

    // The hash is a real transaction of the local node, mined.
    const rpcUrl = suite.stack.network.chain?.deployment.rpcUrl ?? '';
    const receipt = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [payment.txHash] }),
    }).then((res) => res.json() as Promise<{ result: { status: string } | null }>);
    expect(receipt.result).toMatchObject({ status: '0x1' });
  });
});
