import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { MNEEToken__factory, localAccount, readTokenDomain } from '@nexus/chain';
import { startX402StandIn, type X402StandIn } from '@nexus/chain/testing';
import { listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';
import {
  startFakeOpenAi,
  textAnswer,
  toolCallsAnswer,
  type CompletionRequest,
  type FakeOpenAiServer,
} from '../agents/testing/fake-openai-server';
import { startBackingStack, type BackingStack } from '../testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from '../testing/gateway-under-test';
import { gatewayProbes, type GatewayProbes } from '../testing/gateway-probes';

jest.setTimeout(180_000);

/** 0.02 MNEE in the token's 18-decimal units: the stand-in's price unless a test changes it. */
const TWO_CENTS = 20_000_000_000_000_000n;
const PAY_TO = localAccount(5).address; // services.yaml EXT_WEATHER payTo

/**
 * Our agents pay a third party's x402 API under policy (docs/x402.md, "Paying
 * x402 APIs"): the shipped EXT_WEATHER entry, served on loopback by the
 * official @x402/express middleware with its own facilitator, on a real
 * Hardhat chain; the real policy, payment service and logger behind the
 * real gateway.
 */
describe('paying an external x402 API (chain mode)', () => {
  let stack: BackingStack;
  let gw: GatewayUnderTest;
  let probe: GatewayProbes;
  let standIn: X402StandIn;
  let price = TWO_CENTS;
  let failing = false;
  let balanceOf: (address: string) => Promise<bigint>;
  let treasury: string;
  /** the agents' model, faked at the wire: it asks for the weather tool, then answers */
  let openAi: FakeOpenAiServer;
  const modelRequests: CompletionRequest[] = [];

  beforeAll(async () => {
    stack = await startBackingStack({ mode: 'chain' });
    const chain = stack.network.chain;
    if (!chain) throw new Error('chain mode has a chain');
    const { deployment } = chain;
    const domain = await readTokenDomain(chain.provider, deployment.token.address);
    standIn = await startX402StandIn({
      rpcUrl: deployment.rpcUrl,
      chainId: deployment.chainId,
      token: { address: deployment.token.address, name: domain.name, version: domain.version },
      payTo: PAY_TO,
      amount: () => price.toString(),
      facilitatorKey: localAccount(6).privateKey as `0x${string}`,
      failing: () => failing,
    });
    openAi = await startFakeOpenAi((request, index) => {
      modelRequests.push(request);
      return index % 2 === 0
        ? toolCallsAnswer([{ id: `call_${index}`, name: 'x402_ext_weather', args: { city: 'Nantes' } }])
        : textAnswer('It is sunny in Nantes.');
    });
    gw = await createGatewayUnderTest(stack, {
      env: {
        NEXUS_SERVICE_EXT_WEATHER_URL: standIn.weatherUrl,
        LLM_PROVIDER: 'openai',
        OPENAI_API_KEY: 'sk-loopback-test-key-0123456789',
        OPENAI_BASE_URL: openAi.url,
      },
    });
    probe = gatewayProbes(gw);
    const token = MNEEToken__factory.connect(deployment.token.address, chain.provider);
    balanceOf = (address) => token.balanceOf(address);
    treasury = deployment.treasury;
  }, 180_000);
  afterAll(async () => {
    await gw?.close();
    await standIn?.close();
    await openAi?.close();
    await stack?.stopAll();
  });
  beforeEach(async () => {
    price = TWO_CENTS;
    failing = false;
    await probe.resetBudgets();
  });

  const invoke = (input: Record<string, unknown>, agent = 'user-agent') =>
    gw.http.post('/tools/EXT_WEATHER/invoke').set(gw.auth(agent)).send({ input });
  const balances = async () => ({ treasury: await balanceOf(treasury), payee: await balanceOf(PAY_TO) });
  const spentOf = async (agentId: string) => (await probe.agent(agentId)).spentToday;

  it('pays the price of its 402 answer from the treasury, under the policy, and answers its result', async () => {
    const before = await balances();
    const served = standIn.served();

    const res = await invoke({ city: 'Paris' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      decision: { action: 'ALLOWED', variant: 'x402', amount: '0.02' },
      payment: { status: 'SUCCESS', amount: '0.02', txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
      result: { city: 'Paris', forecast: 'sunny' },
    });
    expect(standIn.served()).toBe(served + 1);
    const after = await balances();
    expect(before.treasury - after.treasury).toBe(TWO_CENTS);
    expect(after.payee - before.payee).toBe(TWO_CENTS);
    // the hold is committed: the agent has spent exactly the price
    let spent = await spentOf('user-agent');
    for (let i = 0; i < 50 && spent !== '0.02'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      spent = await spentOf('user-agent');
    }
    expect(spent).toBe('0.02');
    // the ledger has it as an x402 payment by the treasury, served
    const [payment] = await probe.payments({ serviceId: 'EXT_WEATHER' });
    expect(payment).toMatchObject({ id: res.body.payment.id, status: 'SUCCESS' });
  });

  it('pays nothing over the agent budget: the policy rejects before anything is signed', async () => {
    await gw.http.put('/agents/user-agent/budget').set(gw.auth('admin')).send({ dailyBudget: '0.01' }).expect(200);
    const before = await balances();
    const served = standIn.served();

    const res = await invoke({ city: 'Oslo' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: { action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED' }, payment: null, result: null });
    expect(await balances()).toEqual(before);
    expect(standIn.served()).toBe(served);
    await gw.http.put('/agents/user-agent/budget').set(gw.auth('admin')).send({ dailyBudget: '5.00' }).expect(200);
  });

  it('refuses a 402 answer priced above maxPrice before paying anything', async () => {
    price = 110_000_000_000_000_000n; // 0.11 MNEE, maxPrice is 0.10
    const before = await balances();
    const served = standIn.served();

    const res = await invoke({ city: 'Rome' });

    expect(res.body).toMatchObject({ decision: { action: 'REJECTED', reason: 'PRICE_ABOVE_MAX', amount: '0.11' }, payment: null });
    expect(await balances()).toEqual(before);
    expect(standIn.served()).toBe(served);
    expect((await probe.agent('user-agent')).reserved).toBe('0.00');
  });

  it('a call the service does not serve costs nothing: its authorization is canceled and the hold released', async () => {
    failing = true;
    const before = await balances();

    const res = await invoke({ city: 'Lima' });

    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      decision: { action: 'ALLOWED' },
      payment: { status: 'FAILED' },
      error: { code: 'UPSTREAM_ERROR', message: expect.stringContaining('nothing was paid') },
    });
    expect(await balances()).toEqual(before);
    let agent = await probe.agent('user-agent');
    for (let i = 0; i < 50 && agent.reserved !== '0.00'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      agent = await probe.agent('user-agent');
    }
    const logged = (await probe.decisions({ agentId: 'user-agent' })).find((entry) => entry.id === res.body.decision.id);
    const reservation = await stack.policy.getReservation(logged?.reservationId ?? '');
    expect(reservation).toMatchObject({ status: 'RELEASED' });
    expect(agent).toMatchObject({ reserved: '0.00', spentToday: '0.00' });
  });

  it('checks the input against the schema of services.yaml before anything is held', async () => {
    const res = await invoke({ town: 'Paris' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect((await probe.agent('user-agent')).reserved).toBe('0.00');
  });

  it('lists the service with its kind, maxPrice and health, and quotes it in a dry run', async () => {
    const listed = await gw.http.get('/services/EXT_WEATHER').set(gw.auth('user-agent')).expect(200);
    expect(listed.body).toMatchObject({ kind: 'x402', maxPrice: '0.10', method: 'GET', payee: PAY_TO, healthy: true });
    const simulated = await gw.http.post('/policy/simulate').set(gw.auth('user-agent')).send({ serviceId: 'EXT_WEATHER' }).expect(200);
    expect(simulated.body).toMatchObject({ action: 'ALLOWED', variant: 'x402', amount: '0.02' });
  });

  describe('above the approval threshold', () => {
    const admin = () => gw.auth('admin');
    beforeEach(() => gw.http.put('/agents/user-agent/budget').set(admin()).send({ approvalAbove: '0.01' }).expect(200));
    afterEach(() => gw.http.put('/agents/user-agent/budget').set(admin()).send({ approvalAbove: null }).expect(200));

    it('waits for the operator at the quoted price, then asks the API again and pays it once approved', async () => {
      const before = await balances();
      const pending = await invoke({ city: 'Bergen' });
      expect(pending.status).toBe(202);
      expect(pending.body).toMatchObject({ decision: { action: 'PENDING_APPROVAL', amount: '0.02' }, payment: null });
      expect(await balances()).toEqual(before);

      const approved = await gw.http.post(`/approvals/${pending.body.approval.id}/approve`).set(admin()).send({}).expect(200);

      expect(approved.body).toMatchObject({
        status: 'COMPLETED',
        outcome: { status: 200, body: { payment: { status: 'SUCCESS', amount: '0.02' }, result: { city: 'Bergen' } } },
      });
      expect(before.treasury - (await balances()).treasury).toBe(TWO_CENTS);
    });

    it('pays nothing when the API asks another price by the time it is approved, and lets the hold go', async () => {
      const before = await balances();
      const pending = await invoke({ city: 'Turku' });
      expect(pending.status).toBe(202);
      price = 30_000_000_000_000_000n; // 0.03 now; 0.02 was approved

      const approved = await gw.http.post(`/approvals/${pending.body.approval.id}/approve`).set(admin()).send({});

      expect(approved.body).toMatchObject({
        status: 'FAILED',
        outcome: { body: { payment: null, error: { code: 'X402_OFFER_REFUSED' } } },
      });
      expect(await balances()).toEqual(before);
      expect((await probe.agent('user-agent')).reserved).toBe('0.00');
    });
  });

  it("is one of the agents' tools: the model calls it, the policy decides, the treasury pays", async () => {
    const before = await balances();
    const res = await gw.http.post('/chat').set(gw.auth('user-agent')).send({ message: 'What is the weather in Nantes?' }).expect(200);

    const offered = modelRequests[0]?.body.tools?.find((tool) => tool.function.name === 'x402_ext_weather');
    expect(offered?.function.parameters).toMatchObject({ type: 'object', required: ['city'] });
    expect(res.body.toolCalls).toEqual([
      expect.objectContaining({
        tool: 'x402_ext_weather',
        serviceId: 'EXT_WEATHER',
        decision: expect.objectContaining({ action: 'ALLOWED' }),
        payment: expect.objectContaining({ status: 'SUCCESS', amount: '0.02' }),
        result: expect.objectContaining({ city: 'Nantes' }),
      }),
    ]);
    expect(before.treasury - (await balances()).treasury).toBe(TWO_CENTS);
  });

  describe('over MCP', () => {
    let server: LoopbackServer;
    let client: Client;
    beforeAll(async () => {
      server = await listenOnLoopback(gw.gateway.app);
      client = new Client({ name: 'x402-paying-spec', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: gw.auth('user-agent') } }),
      );
    });
    afterAll(async () => {
      await client?.close();
      await server?.close();
    });

    it('lists a paid tool per x402 service with its input schema, and pays through it', async () => {
      const { tools } = await client.listTools();
      expect(tools.find((tool) => tool.name === 'x402_ext_weather')?.inputSchema).toMatchObject({ type: 'object', required: ['city'] });
      const before = await balances();

      const result = CallToolResultSchema.parse(await client.callTool({ name: 'x402_ext_weather', arguments: { city: 'Porto' } }));

      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ city: 'Porto', forecast: 'sunny' });
      expect(result._meta).toMatchObject({ decision: { action: 'ALLOWED', amount: '0.02' }, payment: { status: 'SUCCESS' } });
      expect(before.treasury - (await balances()).treasury).toBe(TWO_CENTS);
    });

    it('quotes it with get_quote at the price its 402 answer asks now', async () => {
      price = 30_000_000_000_000_000n;
      const result = CallToolResultSchema.parse(await client.callTool({ name: 'get_quote', arguments: { service: 'EXT_WEATHER' } }));
      expect(result.structuredContent).toMatchObject({
        service: { id: 'EXT_WEATHER', kind: 'x402', variants: [{ id: 'x402', price: '0.10' }] },
        decision: { action: 'ALLOWED', amount: '0.03' },
      });
    });
  });
});
