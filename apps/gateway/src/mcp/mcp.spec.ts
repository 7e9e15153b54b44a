import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { findWorkspaceRoot, listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';
import { PublicAgent, PublicDecision, toBaseUnits } from '@nexus/types';
import { errorOf } from '../testing/api-checks';
import { useGatewayOverStack } from '../testing/gateway-suite';

jest.setTimeout(120_000);

/**
 * The MCP server on the gateway (`POST /mcp`), driven by the MCP SDK's own
 * client over real HTTP, against the real gateway over the real policy,
 * payment service (mock mode), providers and logger. What a call did is
 * read back from the gateway's public API (transactions, agents).
 */
describe('the MCP server on the gateway', () => {
  const suite = useGatewayOverStack();
  const admin = () => suite.gw.auth('admin');
  let server: LoopbackServer;
  const open: Client[] = [];

  beforeAll(async () => {
    server = await listenOnLoopback(suite.gw.gateway.app);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server?.close();
  });

  /** An MCP client of the gateway with these headers on every request. */
  async function connect(headers: Record<string, string>): Promise<Client> {
    const client = new Client({ name: 'mcp-spec', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } });
    await client.connect(transport);
    open.push(client);
    return client;
  }
  const asAgent = (agentId: string) => connect(suite.gw.auth(agentId));

  async function call(
    client: Client,
    name: string,
    args: Record<string, unknown>,
    meta?: Record<string, unknown>,
  ): Promise<CallToolResult> {
    const result = await client.callTool({ name, arguments: args, ...(meta ? { _meta: meta } : {}) });
    return CallToolResultSchema.parse(result);
  }
  const textOf = (result: CallToolResult) => result.content.map((item) => (item.type === 'text' ? item.text : `[${item.type}]`)).join('\n');
  const paymentsOf = (agentId: string) => suite.probe.payments({ agentId });
  const reservedOf = async (agentId: string) => toBaseUnits((await suite.probe.agent(agentId)).reserved);

  describe('tools', () => {
    it("the SDK client lists the four paid tools, one per x402 service, and the two free ones, with input schemas from the providers' contracts", async () => {
      const client = await asAgent('user-agent');
      expect(client.getServerVersion()).toMatchObject({ name: 'mnee-nexus' });
      expect(client.getInstructions()).toMatch(/paid in MNEE/);
      const { tools } = await client.listTools();
      const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
      expect(Object.keys(byName).sort()).toEqual([
        'archive_logs',
        'generate_image',
        'get_budget',
        'get_price',
        'get_quote',
        'submit_batch_job',
        // one per x402 service of services.yaml (docs/x402.md)
        'x402_ext_weather',
      ]);

      expect(byName['get_price']?.inputSchema).toMatchObject({
        type: 'object',
        properties: { base: { type: 'string' }, quote: expect.any(Object), at: expect.any(Object), variant: expect.any(Object) },
        required: ['base'],
        additionalProperties: false,
      });
      expect(byName['generate_image']?.inputSchema).toMatchObject({
        properties: { prompt: { type: 'string' }, variant: { enum: ['standard', 'draft'] }, format: { enum: ['png', 'svg'] } },
        required: ['prompt'],
      });
      expect(byName['submit_batch_job']?.inputSchema).toMatchObject({
        properties: { kind: { enum: ['hash-chain', 'primes', 'matrix-power', 'sort'] } },
        required: ['kind'],
      });
      expect(byName['archive_logs']?.inputSchema).toMatchObject({
        properties: { lines: { type: 'array', minItems: 1 }, variant: { enum: ['full', 'summary'] } },
        required: ['lines'],
      });
      expect(byName['get_quote']?.inputSchema).toMatchObject({
        properties: { service: { enum: expect.arrayContaining(['IMAGE_GEN', 'PRICE_ORACLE', 'BATCH_COMPUTE', 'LOG_ARCHIVE']) } },
        required: ['service'],
      });
      expect(byName['get_budget']?.annotations).toMatchObject({ readOnlyHint: true });
      expect(byName['get_price']?.annotations).toMatchObject({ readOnlyHint: false });
    });

    it('get_price pays once and returns the price, with the decision and the payment in _meta', async () => {
      const before = await paymentsOf('user-agent');
      const result = await call(await asAgent('user-agent'), 'get_price', { base: 'ETH' });

      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ base: 'ETH', quote: 'USD', price: expect.stringMatching(/^\d+(\.\d+)?$/) });
      expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
      const meta = result._meta as Record<string, unknown>;
      expect(PublicDecision.parse(meta['decision'])).toMatchObject({
        action: 'ALLOWED',
        reason: 'WITHIN_POLICY',
        serviceId: 'PRICE_ORACLE',
        amount: '0.05',
      });
      expect(meta).toMatchObject({
        payment: { status: 'MOCK', amount: '0.05', txHash: null, id: expect.any(String) },
        refund: null,
        replayed: false,
      });

      const after = await paymentsOf('user-agent');
      expect(after).toHaveLength(before.length + 1);
      expect(after.filter((p) => !before.some((b) => b.id === p.id))).toEqual([
        expect.objectContaining({ id: (meta['payment'] as { id: string }).id, status: 'MOCK', serviceId: 'PRICE_ORACLE', amount: '0.05' }),
      ]);
    });

    it("an agent over its budget gets isError with the policy's reason code, and pays nothing", async () => {
      await suite.gw.http.put('/agents/ops-agent/budget').set(admin()).send({ dailyBudget: '0.01' }).expect(200);
      try {
        const before = { payments: await paymentsOf('ops-agent'), reserved: await reservedOf('ops-agent') };
        const result = await call(await asAgent('ops-agent'), 'get_price', { base: 'BTC' });

        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/^DAILY_BUDGET_EXCEEDED: .*nothing was held or charged/);
        expect(result.structuredContent).toBeUndefined();
        expect(result._meta).toMatchObject({ decision: { action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED' }, payment: null });
        expect(await paymentsOf('ops-agent')).toEqual(before.payments);
        expect(await reservedOf('ops-agent')).toBe(before.reserved);
      } finally {
        await suite.gw.http.put('/agents/ops-agent/budget').set(admin()).send({ dailyBudget: '1.00' }).expect(200);
      }
    });

    it('a retry with the same _meta.idempotencyKey pays once and returns the first result; without a key each call pays', async () => {
      const client = await asAgent('user-agent');
      const before = await paymentsOf('user-agent');
      const key = `mcp-${randomUUID()}`;
      const first = await call(client, 'get_price', { base: 'BTC' }, { idempotencyKey: key });
      const retry = await call(client, 'get_price', { base: 'BTC' }, { idempotencyKey: key });

      expect(first._meta).toMatchObject({ replayed: false, payment: { status: 'MOCK' } });
      expect(retry._meta).toMatchObject({ replayed: true, payment: (first._meta as { payment: unknown }).payment });
      expect(retry.structuredContent).toEqual(first.structuredContent);
      expect(await paymentsOf('user-agent')).toHaveLength(before.length + 1);

      // The same key for another input is refused before anything is decided.
      const reused = await call(client, 'get_price', { base: 'ETH' }, { idempotencyKey: key });
      expect(reused.isError).toBe(true);
      expect(textOf(reused)).toMatch(/^IDEMPOTENCY_KEY_REUSED: /);

      await call(client, 'get_price', { base: 'BTC' });
      await call(client, 'get_price', { base: 'BTC' });
      expect(await paymentsOf('user-agent')).toHaveLength(before.length + 3);
    });

    it('a bad input or a bad idempotency key is an isError answer, and nothing is decided or paid', async () => {
      const client = await asAgent('user-agent');
      const before = await paymentsOf('user-agent');
      const decisions = (await suite.probe.decisions({ agentId: 'user-agent' })).length;

      const noBase = await call(client, 'get_price', { quote: 'USD' });
      expect(noBase.isError).toBe(true);
      expect(textOf(noBase)).toMatch(/base/);
      const badKey = await call(client, 'get_price', { base: 'ETH' }, { idempotencyKey: 'has a space' });
      expect(badKey.isError).toBe(true);
      expect(textOf(badKey)).toMatch(/^VALIDATION_ERROR: _meta\.idempotencyKey /);

      expect(await paymentsOf('user-agent')).toEqual(before);
      expect(await suite.probe.decisions({ agentId: 'user-agent' })).toHaveLength(decisions);
    });

    it('get_quote gives the variants, prices and what the policy would decide now, and reserves nothing', async () => {
      const before = { reserved: await reservedOf('user-agent'), payments: await paymentsOf('user-agent') };
      const result = await call(await asAgent('user-agent'), 'get_quote', { service: 'IMAGE_GEN' });

      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        service: {
          id: 'IMAGE_GEN',
          defaultVariant: 'standard',
          variants: [expect.objectContaining({ id: 'standard', price: '0.50' }), expect.objectContaining({ id: 'draft', price: '0.20' })],
        },
        decision: { action: 'ALLOWED', variant: 'standard', amount: '0.50', agentId: 'user-agent' },
      });
      expect(await reservedOf('user-agent')).toBe(before.reserved);
      expect(await paymentsOf('user-agent')).toEqual(before.payments);

      const notAllowed = await call(await asAgent('ops-agent'), 'get_quote', { service: 'BATCH_COMPUTE' });
      expect(notAllowed.structuredContent).toMatchObject({ decision: { action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' } });
    });

    it("get_budget gives the caller's budget windows and what remains, its own calls counted as spent", async () => {
      const client = await asAgent('user-agent');
      await call(client, 'get_price', { base: 'ETH' });
      const result = await call(client, 'get_budget', {});

      const agent = PublicAgent.parse(result.structuredContent);
      expect(agent).toMatchObject({ id: 'user-agent', dailyBudget: '5.00', spentToday: '0.05', remaining: '4.95' });
      expect(agent.windows[0]).toMatchObject({ window: 'daily', budget: '5.00', spent: '0.05', remaining: '4.95' });
    });

    it('a call above the approval threshold says it waits for approval, with the approval, and pays nothing', async () => {
      await suite.gw.http.put('/agents/user-agent/budget').set(admin()).send({ approvalAbove: '0.01' }).expect(200);
      try {
        const before = await paymentsOf('user-agent');
        const result = await call(await asAgent('user-agent'), 'get_price', { base: 'ETH' });

        expect(result.isError).toBeFalsy();
        const meta = result._meta as { approval: { id: string; status: string; expiresAt: string } };
        expect(meta).toMatchObject({
          decision: { action: 'PENDING_APPROVAL', reason: 'APPROVAL_REQUIRED', amount: '0.05' },
          payment: null,
          approval: { id: expect.any(String), status: 'PENDING', expiresAt: expect.any(String) },
        });
        expect(textOf(result)).toContain(`Waiting for approval (APPROVAL_REQUIRED)`);
        expect(textOf(result)).toContain(meta.approval.id);
        expect(await paymentsOf('user-agent')).toEqual(before);
        await suite.gw.http.post(`/approvals/${meta.approval.id}/deny`).set(admin()).send({}).expect(200);
      } finally {
        await suite.gw.http.put('/agents/user-agent/budget').set(admin()).send({ approvalAbove: null }).expect(200);
      }
    });
  });

  describe('who may call', () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const mcpPost = () => suite.gw.http.post('/mcp').set('Accept', 'application/json, text/event-stream');

    it("a wrong key, or none, is refused with 401 in the gateway's error format before MCP sees anything", async () => {
      errorOf(await mcpPost().set('Authorization', 'Bearer not-a-key-of-this-gateway').send(initialize), 401, 'UNAUTHORIZED');
      errorOf(await mcpPost().send(initialize), 401, 'UNAUTHORIZED');
      await expect(connect({ Authorization: 'Bearer not-a-key-of-this-gateway' })).rejects.toMatchObject({ code: 401 });
    });

    it('the admin key acts for the agent named in X-Nexus-Agent, and must name one; an agent key acts as itself only', async () => {
      const forOps = await connect({ ...admin(), 'X-Nexus-Agent': 'ops-agent' });
      expect((await call(forOps, 'get_budget', {})).structuredContent).toMatchObject({ id: 'ops-agent' });

      const unnamed = await mcpPost().set(admin()).send(initialize);
      expect(errorOf(unnamed, 400, 'VALIDATION_ERROR').details).toEqual([{ path: 'headers.x-nexus-agent', message: expect.any(String) }]);
      errorOf(await mcpPost().set(admin()).set('X-Nexus-Agent', 'no-such-agent').send(initialize), 404, 'AGENT_NOT_FOUND');
      errorOf(await mcpPost().set(suite.gw.auth('user-agent')).set('X-Nexus-Agent', 'ops-agent').send(initialize), 403, 'FORBIDDEN');
    });

    it('refuses a Host or an Origin that is not allowed (DNS rebinding protection), with 403 in the error format', async () => {
      const key = suite.gw.auth('user-agent');
      errorOf(await mcpPost().set(key).set('Host', 'attacker.example').send(initialize), 403, 'FORBIDDEN');
      errorOf(await mcpPost().set(key).set('Origin', 'http://attacker.example').send(initialize), 403, 'FORBIDDEN');
      const allowed = await mcpPost().set(key).set('Host', `localhost:${server.port}`).send(initialize);
      expect(allowed.status).toBe(200);
      expect(allowed.body).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'mnee-nexus' } } });
    });

    it("answers GET and DELETE with 405, and the transport's refusals in the gateway's error format", async () => {
      const key = suite.gw.auth('user-agent');
      const get = await suite.gw.http.get('/mcp').set(key);
      errorOf(get, 405, 'METHOD_NOT_ALLOWED');
      expect(get.headers['allow']).toBe('POST');
      errorOf(await suite.gw.http.delete('/mcp').set(key), 405, 'METHOD_NOT_ALLOWED');
      errorOf(await suite.gw.http.post('/mcp').set(key).set('Accept', 'application/json').send(initialize), 406, 'NOT_ACCEPTABLE');
      errorOf(await mcpPost().set(key).send({ jsonrpc: '2.0', id: 'x' }), 400, 'VALIDATION_ERROR');
    });
  });

  describe('the stdio bridge (npm run mcp -- --agent <id>)', () => {
    const root = findWorkspaceRoot();
    const bridgeArgs = (agentId: string) => ['--import', 'tsx', join(root, 'tools/mcp/main.ts'), '--agent', agentId];
    const envFile = (agentKeys: string) => {
      const file = join(mkdtempSync(join(tmpdir(), 'nexus-mcp-bridge-')), '.env');
      writeFileSync(file, `AGENT_API_KEYS=${agentKeys}\nGATEWAY_URL=${server.url}\n`);
      return file;
    };

    it("serves MCP on stdio and forwards to the gateway with the agent's key from the env file: tools, a paid call, a replay", async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: bridgeArgs('user-agent'),
        cwd: root,
        env: { NEXUS_ENV_FILE: envFile(`user-agent:${suite.gw.agentKeys['user-agent']}`) },
        stderr: 'pipe',
      });
      const client = new Client({ name: 'mcp-spec-stdio', version: '1.0.0' });
      await client.connect(transport);
      open.push(client);

      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'archive_logs',
        'generate_image',
        'get_budget',
        'get_price',
        'get_quote',
        'submit_batch_job',
        // one per x402 service of services.yaml (docs/x402.md)
        'x402_ext_weather',
      ]);
      const before = await paymentsOf('user-agent');
      const key = `bridge-${randomUUID()}`;
      const first = CallToolResultSchema.parse(
        await client.callTool({ name: 'get_price', arguments: { base: 'ETH' }, _meta: { idempotencyKey: key } }),
      );
      const retry = CallToolResultSchema.parse(
        await client.callTool({ name: 'get_price', arguments: { base: 'ETH' }, _meta: { idempotencyKey: key } }),
      );
      expect(first._meta).toMatchObject({
        decision: { agentId: 'user-agent', action: 'ALLOWED' },
        payment: { status: 'MOCK' },
        replayed: false,
      });
      expect(retry._meta).toMatchObject({ replayed: true });
      expect(retry.structuredContent).toEqual(first.structuredContent);
      expect(await paymentsOf('user-agent')).toHaveLength(before.length + 1);
    });

    it('exits with code 2, saying why on stderr and nothing on stdout, without a key for the agent or with a key the gateway refuses', async () => {
      // Not spawnSync: the gateway answering the bridge runs in this process.
      const run = (agentKeys: string) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const env = { PATH: process.env['PATH'] ?? '', NEXUS_ENV_FILE: envFile(agentKeys) };
          const child = execFile(
            process.execPath,
            bridgeArgs('user-agent'),
            { cwd: root, env, timeout: 60_000 },
            (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
          );
        });
      const noKey = await run(`ops-agent:${suite.gw.agentKeys['ops-agent']}`);
      expect({ status: noKey.status, stdout: noKey.stdout }).toEqual({ status: 2, stdout: '' });
      expect(noKey.stderr).toContain('AGENT_API_KEYS has no key for user-agent');

      const refused = await run('user-agent:not-a-key-of-this-gateway');
      expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 2, stdout: '' });
      expect(refused.stderr).toMatch(/could not open MCP at .*\/mcp as user-agent/);
      expect(refused.stderr).not.toContain('not-a-key-of-this-gateway');
    });
  });
});
