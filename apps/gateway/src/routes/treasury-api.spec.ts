import { loadConfig } from '@nexus/config';
import { waitFor, type WaitForOptions } from '@nexus/service-kit/testing';
import {
  ChatResponse,
  GatewayResetResponse,
  GatewayStats,
  InvokeAnswer,
  InvokeFailureBody,
  PolicyLogList,
  PublicAgent,
  PublicAgentList,
  PublicDecision,
  ServiceView,
  ServiceViewList,
  TransactionList,
  TreasuryOverview,
  applyBasisPoints,
  sumMoney,
  toBaseUnits,
  type PolicyLogEntry,
  type PublicPayment,
} from '@nexus/types';
import { canonicalMoney, errorOf, validationErrorOf } from '../testing/api-checks';
import { startBackingStack, type BackingStack } from '../testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from '../testing/gateway-under-test';

/**
 * Every route of docs/architecture.md §6 that moves or shows money, with its error
 * paths, through the real gateway over the real policy, payment (mock mode),
 * logger and providers. Budgets are reset before each test.
 */

jest.setTimeout(120_000);

let stack: BackingStack;
let gateway: GatewayUnderTest;

beforeAll(async () => {
  stack = await startBackingStack();
  gateway = await createGatewayUnderTest(stack, { env: { EXPLORER_TX_URL: EXPLORER } });
});

afterAll(async () => {
  await gateway?.close();
  await stack?.stopAll();
});

beforeEach(async () => {
  await gateway.http.post('/reset').set(gateway.auth('admin')).expect(200);
});

type Who = 'admin' | 'user-agent' | 'batch-agent' | 'ops-agent';

/** In-process: a check that throws fails the test at once. */
const POLL: WaitForOptions = { timeoutMs: 20_000, intervalMs: 25 };
const ETH = { base: 'ETH' };
const EXPLORER = 'https://sepolia.etherscan.io/tx/{hash}';
const LOG_LINES = { lines: [{ timestamp: '2026-01-01T00:00:00Z', level: 'info', message: 'started' }] };

const agentOf = async (id: string) =>
  PublicAgent.parse((await gateway.http.get(`/agents/${id}`).set(gateway.auth('admin')).expect(200)).body);
const invoke = (who: Who, serviceId: string, body: object) =>
  gateway.http
    .post(`/tools/${serviceId}/invoke`)
    .set(gateway.auth(who))
    .send(body as Record<string, unknown>);
const served = async (who: Who, serviceId: string, body: object) =>
  InvokeAnswer.parse((await invoke(who, serviceId, body).expect(200)).body);
const simulate = async (who: Who, body: object) =>
  PublicDecision.parse(
    (
      await gateway.http
        .post('/policy/simulate')
        .set(gateway.auth(who))
        .send(body as Record<string, unknown>)
        .expect(200)
    ).body,
  );

/** Every item of a paged list, following `nextCursor`. */
async function everyItem<T>(path: string, who: Who, parse: (body: unknown) => { items: T[]; nextCursor: string | null }): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url = `${path}${separator}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = parse((await gateway.http.get(url).set(gateway.auth(who)).expect(200)).body);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}
const payments = (query = '', who: Who = 'admin') =>
  everyItem<PublicPayment>(`/transactions${query}`, who, (b) => TransactionList.parse(b));
const decisions = (query = '', who: Who = 'admin') => everyItem<PolicyLogEntry>(`/policy/logs${query}`, who, (b) => PolicyLogList.parse(b));

/** Waits until the audit trail has these decisions (they travel through the outbox). */
const decisionsLogged = (ids: string[]) =>
  waitFor(
    `decisions ${ids.join(', ')} in /policy/logs`,
    async () => {
      const logged = new Set((await decisions()).map((entry) => entry.id));
      return ids.every((id) => logged.has(id));
    },
    POLL,
  );

describe('POST /chat (built-in planner)', () => {
  it('answers a price question with a paid get_price call and reports it in the reply', async () => {
    const response = await gateway.http
      .post('/chat')
      .set(gateway.auth('user-agent'))
      .send({ message: 'What is the price of ETH?' })
      .expect(200);
    const chat = ChatResponse.parse(response.body);
    expect(chat).toMatchObject({ agentId: 'user-agent', model: 'planner', toolCallLimitReached: false });
    expect(chat.toolCalls).toHaveLength(1);
    const [call] = chat.toolCalls;
    expect(call).toMatchObject({ tool: 'get_price', serviceId: 'PRICE_ORACLE', reason: 'WITHIN_POLICY', variant: 'query', amount: '0.05' });
    expect(call?.decision.action).toBe('ALLOWED');
    expect(call?.payment).toMatchObject({ status: 'MOCK', amount: '0.05', agentId: 'user-agent', serviceId: 'PRICE_ORACLE' });
    const result = call?.result as { base: string; price: string };
    expect(result.base).toBe('ETH');
    expect(chat.reply).toContain('get_price');
    expect(chat.reply).toContain('ALLOWED');
    expect(chat.reply).toContain(result.price);
    // The payment is in the ledger and the spend in the budget.
    expect((await payments('?agentId=user-agent')).map((payment) => payment.id)).toContain(call?.payment?.id);
    expect(canonicalMoney((await agentOf('user-agent')).spentToday)).toBe('0.05');
  });

  it('lets the admin key chat as a named agent', async () => {
    const response = await gateway.http
      .post('/chat')
      .set(gateway.auth('admin'))
      .send({ agentId: 'ops-agent', message: 'hello' })
      .expect(200);
    expect(ChatResponse.parse(response.body)).toMatchObject({ agentId: 'ops-agent', toolCalls: [] });
  });

  it('refuses an agent key acting as another agent (403)', async () => {
    const response = await gateway.http
      .post('/chat')
      .set(gateway.auth('user-agent'))
      .send({ agentId: 'batch-agent', message: 'price of ETH' });
    errorOf(response, 403, 'FORBIDDEN');
  });

  it('asks the admin key to name the agent (400)', async () => {
    validationErrorOf(await gateway.http.post('/chat').set(gateway.auth('admin')).send({ message: 'price of ETH' }), ['agentId']);
  });

  it('answers 404 AGENT_NOT_FOUND for an agent that does not exist', async () => {
    const response = await gateway.http.post('/chat').set(gateway.auth('admin')).send({ agentId: 'ghost-agent', message: 'price of ETH' });
    errorOf(response, 404, 'AGENT_NOT_FOUND');
  });

  it('refuses an empty or blank message (400)', async () => {
    validationErrorOf(await gateway.http.post('/chat').set(gateway.auth('user-agent')).send({ message: '' }), ['body.message']);
    validationErrorOf(await gateway.http.post('/chat').set(gateway.auth('user-agent')).send({ message: '   ' }), ['body.message']);
    validationErrorOf(await gateway.http.post('/chat').set(gateway.auth('user-agent')).send({}), ['body.message']);
  });

  it('answers 422 MODEL_NOT_CONFIGURED when asked for OpenAI without a key, and pays nothing', async () => {
    const before = await payments('?agentId=user-agent');
    const response = await gateway.http
      .post('/chat')
      .set(gateway.auth('user-agent'))
      .send({ message: 'What is the price of ETH?', model: 'openai' });
    errorOf(response, 422, 'MODEL_NOT_CONFIGURED');
    expect(await payments('?agentId=user-agent')).toHaveLength(before.length);
  });
});

describe('POST /tools/:serviceId/invoke', () => {
  it('serves a paid call: the decision, the MOCK payment and the provider result; the spend is committed', async () => {
    const response = await invoke('user-agent', 'PRICE_ORACLE', { input: ETH }).expect(200);
    expect(response.headers['idempotent-replayed']).toBe('false');
    const answer = InvokeAnswer.parse(response.body);
    expect(answer.decision).toMatchObject({ action: 'ALLOWED', reason: 'WITHIN_POLICY', variant: 'query', amount: '0.05' });
    expect(answer.payment).toMatchObject({ status: 'MOCK', mode: 'mock', amount: '0.05', decisionId: answer.decision.id });
    expect(answer.result).toMatchObject({ base: 'ETH', quote: 'USD' });
    const agent = await agentOf('user-agent');
    expect([canonicalMoney(agent.spentToday), canonicalMoney(agent.reserved)]).toEqual(['0.05', '0.00']);
  });

  it('lets the admin key invoke as a named agent, and refuses an agent key naming another (403)', async () => {
    const answer = await served('admin', 'PRICE_ORACLE', { agentId: 'batch-agent', input: ETH });
    expect(answer.payment?.agentId).toBe('batch-agent');
    errorOf(await invoke('user-agent', 'PRICE_ORACLE', { agentId: 'batch-agent', input: ETH }), 403, 'FORBIDDEN');
    validationErrorOf(await invoke('admin', 'PRICE_ORACLE', { input: ETH }), ['agentId']);
    errorOf(await invoke('admin', 'PRICE_ORACLE', { agentId: 'ghost-agent', input: ETH }), 404, 'AGENT_NOT_FOUND');
  });

  it('answers 404 SERVICE_NOT_FOUND for a service that does not exist', async () => {
    errorOf(await invoke('user-agent', 'WEATHER', { input: {} }), 404, 'SERVICE_NOT_FOUND');
  });

  it('refuses bad input with 400 and details before anything is decided, held or paid', async () => {
    const paymentsBefore = await payments();
    const agentBefore = await agentOf('user-agent');
    validationErrorOf(await invoke('user-agent', 'PRICE_ORACLE', { input: { base: 'E' } }), ['body.input.base']);
    validationErrorOf(await invoke('user-agent', 'PRICE_ORACLE', { input: { base: 'ETH', extra: 1 } }), ['body.input']);
    validationErrorOf(await invoke('user-agent', 'LOG_ARCHIVE', { input: { lines: [] } }), ['body.input.lines']);
    validationErrorOf(await invoke('user-agent', 'PRICE_ORACLE', { input: 'ETH' }), ['body.input']);
    validationErrorOf(await invoke('user-agent', 'PRICE_ORACLE', { input: ETH, surprise: true }), ['body']);
    validationErrorOf(await invoke('user-agent', 'PRICE_ORACLE', { variant: 'not a variant', input: ETH }), ['body.variant']);
    const badKey = await gateway.http
      .post('/tools/PRICE_ORACLE/invoke')
      .set(gateway.auth('user-agent'))
      .set('Idempotency-Key', 'has spaces in it')
      .send({ input: ETH });
    validationErrorOf(badKey, ['headers.idempotency-key']);
    expect(await payments()).toHaveLength(paymentsBefore.length);
    const agentAfter = await agentOf('user-agent');
    expect([agentAfter.spentToday, agentAfter.reserved]).toEqual([agentBefore.spentToday, agentBefore.reserved]);
  });

  it('pays nothing for a call the provider cannot serve (an unknown symbol: 404 PRICE_NOT_FOUND from its precheck) and leaves the budget as it was', async () => {
    const before = await agentOf('user-agent');
    const paymentsBefore = await payments('?agentId=user-agent');
    const response = await invoke('user-agent', 'PRICE_ORACLE', { input: { base: 'ZZZ' } });
    errorOf(response, 404, 'PRICE_NOT_FOUND');
    const failure = InvokeFailureBody.parse(response.body);
    expect(failure.decision.action).toBe('ALLOWED');
    expect(failure.error.message).toMatch(/^PRICE_ORACLE refuses this input for the query variant \(no price for ZZZ\/USD/);
    expect(failure.payment).toBeNull();
    expect(failure.refund).toBeNull();
    const after = await agentOf('user-agent');
    expect([after.spentToday, after.reserved]).toEqual([before.spentToday, before.reserved]);
    expect(await payments('?agentId=user-agent')).toHaveLength(paymentsBefore.length);
  });

  it('answers a call the policy rejects with 200, the reason, and no payment (ops-agent may not use BATCH_COMPUTE)', async () => {
    const before = await payments('?agentId=ops-agent');
    const answer = await served('ops-agent', 'BATCH_COMPUTE', { input: { kind: 'primes', below: 100 } });
    expect(answer.decision).toMatchObject({ action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED', agentId: 'ops-agent' });
    expect(answer.payment).toBeNull();
    expect(answer.result).toBeNull();
    expect(await payments('?agentId=ops-agent')).toHaveLength(before.length);
  });
});

describe('GET /treasury', () => {
  it('shows the mode, the ledger and every agent to the admin key', async () => {
    await served('user-agent', 'PRICE_ORACLE', { input: ETH });
    const treasury = TreasuryOverview.parse((await gateway.http.get('/treasury').set(gateway.auth('admin')).expect(200)).body);
    expect(treasury.mode).toBe('mock');
    expect(treasury.balance).toBeNull();
    expect(treasury.agents.map((agent) => agent.id).sort()).toEqual(['batch-agent', 'ops-agent', 'user-agent']);
    expect(treasury.ledger['MOCK']?.count).toBeGreaterThan(0);
    const user = treasury.agents.find((agent) => agent.id === 'user-agent');
    expect(user).toMatchObject({ priority: 'HIGH', paused: false });
    expect(canonicalMoney(user?.spent ?? '')).toBe('0.05');
    expect(toBaseUnits(user?.remaining ?? '') + toBaseUnits(user?.spent ?? '')).toBe(toBaseUnits(user?.dailyBudget ?? ''));
    expect(treasury.explorerTxUrl).toBe(EXPLORER);
  });

  it('shows this period’s standing against the policy’s daily limit, and the HIGH reserve a HIGH agent’s call used', async () => {
    const { policy } = loadConfig({ env: stack.gatewayEnv });
    const dailyLimit = toBaseUnits(policy.treasury.dailyLimit ?? '');
    const highReserve = applyBasisPoints(dailyLimit, Math.round(policy.reserve.highShare * 10_000));
    const before = TreasuryOverview.parse((await gateway.http.get('/treasury').set(gateway.auth('admin')).expect(200)).body).limit;
    expect(before).toMatchObject({ spent: '0.00', reserved: '0.00', highReserveLeft: before.highReserve });
    expect(toBaseUnits(before.remaining)).toBe(dailyLimit);

    const answer = await served('user-agent', 'PRICE_ORACLE', { input: ETH });
    const paid = toBaseUnits(answer.payment?.amount ?? '');
    expect(paid).toBeGreaterThan(0n);
    const { limit } = TreasuryOverview.parse((await gateway.http.get('/treasury').set(gateway.auth('batch-agent')).expect(200)).body);
    expect(toBaseUnits(limit.dailyLimit)).toBe(dailyLimit);
    expect(toBaseUnits(limit.highReserve)).toBe(highReserve);
    expect({ spent: toBaseUnits(limit.spent), reserved: toBaseUnits(limit.reserved) }).toEqual({ spent: paid, reserved: 0n });
    expect(toBaseUnits(limit.remaining)).toBe(dailyLimit - paid);
    // user-agent is HIGH: its spend comes out of the reserve kept for HIGH agents
    expect(toBaseUnits(limit.highReserveLeft)).toBe(highReserve - paid);
    expect(Date.parse(limit.periodEndsAt)).toBeGreaterThan(Date.now());
  });

  it('shows an agent key its own agent only', async () => {
    const treasury = TreasuryOverview.parse((await gateway.http.get('/treasury').set(gateway.auth('batch-agent')).expect(200)).body);
    expect(treasury.agents.map((agent) => agent.id)).toEqual(['batch-agent']);
  });
});

describe('GET /whoami', () => {
  it('names the holder of the key: the admin, or one agent', async () => {
    expect((await gateway.http.get('/whoami').set(gateway.auth('admin')).expect(200)).body).toEqual({ kind: 'admin', agentId: null });
    expect((await gateway.http.get('/whoami').set(gateway.auth('ops-agent')).expect(200)).body).toEqual({
      kind: 'agent',
      agentId: 'ops-agent',
    });
  });

  it('is 401 without a key or with an unknown one', async () => {
    errorOf(await gateway.http.get('/whoami'), 401, 'UNAUTHORIZED');
    errorOf(await gateway.http.get('/whoami').set(gateway.auth('no-such-agent')), 401, 'UNAUTHORIZED');
  });
});

describe('agents', () => {
  it('GET /agents lists every agent for the admin key and only its own for an agent key', async () => {
    const all = PublicAgentList.parse((await gateway.http.get('/agents').set(gateway.auth('admin')).expect(200)).body);
    expect(all.items.map((agent) => agent.id).sort()).toEqual(['batch-agent', 'ops-agent', 'user-agent']);
    expect(all.nextCursor).toBeNull();
    const own = PublicAgentList.parse((await gateway.http.get('/agents').set(gateway.auth('ops-agent')).expect(200)).body);
    expect(own.items.map((agent) => agent.id)).toEqual(['ops-agent']);
  });

  it('GET /agents/:id: its own agent for an agent key, 403 for another, 404 for an unknown one', async () => {
    const own = PublicAgent.parse((await gateway.http.get('/agents/user-agent').set(gateway.auth('user-agent')).expect(200)).body);
    expect(own).toMatchObject({ id: 'user-agent', priority: 'HIGH', dailyBudget: '5.00', maxPerCall: '1.00', paused: false });
    errorOf(await gateway.http.get('/agents/batch-agent').set(gateway.auth('user-agent')), 403, 'FORBIDDEN');
    errorOf(await gateway.http.get('/agents/ghost-agent').set(gateway.auth('admin')), 404, 'AGENT_NOT_FOUND');
    errorOf(await gateway.http.get('/agents/ghost-agent').set(gateway.auth('user-agent')), 403, 'FORBIDDEN');
    validationErrorOf(await gateway.http.get('/agents/not%20an%20id').set(gateway.auth('admin')), ['params.id']);
  });

  it('PUT /agents/:id/budget needs the admin key and money as a decimal string', async () => {
    errorOf(
      await gateway.http.put('/agents/user-agent/budget').set(gateway.auth('user-agent')).send({ dailyBudget: '50.00' }),
      403,
      'FORBIDDEN',
    );
    const put = (body: object) =>
      gateway.http
        .put('/agents/ops-agent/budget')
        .set(gateway.auth('admin'))
        .send(body as Record<string, unknown>);
    validationErrorOf(await put({ dailyBudget: '1.5e3' }), ['body.dailyBudget']);
    validationErrorOf(await put({ dailyBudget: 5 }), ['body.dailyBudget']);
    validationErrorOf(await put({ maxPerCall: '-1.00' }), ['body.maxPerCall']);
    validationErrorOf(await put({ maxPerCall: '0.1234567' }), ['body.maxPerCall']);
    validationErrorOf(await put({}), ['body']);
    validationErrorOf(await put({ dailyBudget: '2.00', owner: 'me' }), ['body']);
    errorOf(
      await gateway.http.put('/agents/ghost-agent/budget').set(gateway.auth('admin')).send({ dailyBudget: '1.00' }),
      404,
      'AGENT_NOT_FOUND',
    );
    expect(await agentOf('ops-agent')).toMatchObject({ dailyBudget: '1.00', maxPerCall: '0.50' });
  });

  it('PUT /agents/:id/budget changes the agent and the decisions made for it', async () => {
    try {
      const updated = PublicAgent.parse(
        (await gateway.http.put('/agents/ops-agent/budget').set(gateway.auth('admin')).send({ maxPerCall: '0.01' }).expect(200)).body,
      );
      expect(canonicalMoney(updated.maxPerCall)).toBe('0.01');
      expect(canonicalMoney((await agentOf('ops-agent')).maxPerCall)).toBe('0.01');
      expect(await simulate('ops-agent', { serviceId: 'PRICE_ORACLE' })).toMatchObject({
        action: 'REJECTED',
        reason: 'PER_CALL_LIMIT_EXCEEDED',
      });
      const refused = await served('ops-agent', 'PRICE_ORACLE', { input: ETH });
      expect(refused).toMatchObject({ decision: { action: 'REJECTED', reason: 'PER_CALL_LIMIT_EXCEEDED' }, payment: null });

      await gateway.http
        .put('/agents/ops-agent/budget')
        .set(gateway.auth('admin'))
        .send({ maxPerCall: '0.50', dailyBudget: '0.04' })
        .expect(200);
      expect(await simulate('ops-agent', { serviceId: 'PRICE_ORACLE' })).toMatchObject({
        action: 'REJECTED',
        reason: 'DAILY_BUDGET_EXCEEDED',
      });
    } finally {
      await gateway.http
        .put('/agents/ops-agent/budget')
        .set(gateway.auth('admin'))
        .send({ maxPerCall: '0.50', dailyBudget: '1.00' })
        .expect(200);
    }
    expect(await simulate('ops-agent', { serviceId: 'PRICE_ORACLE' })).toMatchObject({ action: 'ALLOWED' });
  });

  it('POST /agents/:id/pause and /resume (admin): a paused agent’s calls are rejected with AGENT_PAUSED', async () => {
    errorOf(await gateway.http.post('/agents/ops-agent/pause').set(gateway.auth('ops-agent')), 403, 'FORBIDDEN');
    errorOf(await gateway.http.post('/agents/ghost-agent/pause').set(gateway.auth('admin')), 404, 'AGENT_NOT_FOUND');
    try {
      const paused = PublicAgent.parse((await gateway.http.post('/agents/ops-agent/pause').set(gateway.auth('admin')).expect(200)).body);
      expect(paused).toMatchObject({ id: 'ops-agent', paused: true });
      const refused = await served('ops-agent', 'PRICE_ORACLE', { input: ETH });
      expect(refused).toMatchObject({ decision: { action: 'REJECTED', reason: 'AGENT_PAUSED' }, payment: null, result: null });
      errorOf(await gateway.http.post('/agents/ops-agent/resume').set(gateway.auth('ops-agent')), 403, 'FORBIDDEN');
    } finally {
      const resumed = PublicAgent.parse((await gateway.http.post('/agents/ops-agent/resume').set(gateway.auth('admin')).expect(200)).body);
      expect(resumed.paused).toBe(false);
    }
    expect((await served('ops-agent', 'PRICE_ORACLE', { input: ETH })).decision.action).toBe('ALLOWED');
  });
});

describe('services', () => {
  it('GET /services lists every configured service with its variants, prices and a healthy provider', async () => {
    const config = loadConfig({ env: stack.gatewayEnv });
    const list = ServiceViewList.parse((await gateway.http.get('/services').set(gateway.auth('user-agent')).expect(200)).body);
    // our providers, then the x402 services (docs/x402.md), each with its kind
    expect(list.items.map((service) => [service.id, service.kind])).toEqual([
      ...config.services.map((service) => [service.id, 'provider']),
      ...config.x402Services.map((service) => [service.id, 'x402']),
    ]);
    expect(list.items.find((service) => service.kind === 'x402')).toMatchObject({
      id: 'EXT_WEATHER',
      maxPrice: '0.10',
      method: 'GET',
      defaultVariant: 'x402',
      variants: [{ id: 'x402', price: '0.10', description: expect.stringContaining('402 answer') }],
    });
    for (const service of list.items.filter((listed) => listed.kind === 'provider')) {
      const configured = config.services.find((entry) => entry.id === service.id);
      expect(service.variants.map((variant) => [variant.id, canonicalMoney(variant.price)])).toEqual(
        configured?.variants.map((variant) => [variant.id, canonicalMoney(variant.price)]),
      );
      expect(service.healthy).toBe(true);
    }
  });

  it('GET /services/:id shows one service, 404 SERVICE_NOT_FOUND for an unknown one', async () => {
    const service = ServiceView.parse((await gateway.http.get('/services/LOG_ARCHIVE').set(gateway.auth('admin')).expect(200)).body);
    expect(service).toMatchObject({ id: 'LOG_ARCHIVE', defaultVariant: 'full', healthy: true });
    expect(service.variants.map((variant) => [variant.id, variant.price])).toEqual([
      ['full', '0.30'],
      ['summary', '0.05'],
    ]);
    errorOf(await gateway.http.get('/services/WEATHER').set(gateway.auth('admin')), 404, 'SERVICE_NOT_FOUND');
  });

  it('shows a stopped provider as unhealthy, answers a call to it with a clean 503 before paying, and shows it healthy once it is back', async () => {
    const health = async (id: string) =>
      ServiceView.parse((await gateway.http.get(`/services/${id}`).set(gateway.auth('admin')).expect(200)).body).healthy;
    let stopped = false;
    try {
      await stack.stop('log-archive');
      stopped = true;
      await waitFor('LOG_ARCHIVE to show as unhealthy', async () => !(await health('LOG_ARCHIVE')), POLL);
      const list = ServiceViewList.parse((await gateway.http.get('/services').set(gateway.auth('admin')).expect(200)).body);
      expect(Object.fromEntries(list.items.map((service) => [service.id, service.healthy]))).toEqual({
        IMAGE_GEN: true,
        PRICE_ORACLE: true,
        BATCH_COMPUTE: true,
        LOG_ARCHIVE: false,
        // the stand-in x402 API is served by `npm run demo:x402` only
        EXT_WEATHER: expect.any(Boolean),
      });

      const before = await agentOf('user-agent');
      const response = await invoke('user-agent', 'LOG_ARCHIVE', { variant: 'summary', input: LOG_LINES });
      errorOf(response, 503, 'PRECHECK_UNAVAILABLE');
      const failure = InvokeFailureBody.parse(response.body);
      expect(failure.payment).toBeNull();
      expect(failure.refund).toBeNull();
      const after = await agentOf('user-agent');
      expect([after.spentToday, after.reserved]).toEqual([before.spentToday, before.reserved]);

      await stack.start('log-archive');
      stopped = false;
      await waitFor('LOG_ARCHIVE to show as healthy again', () => health('LOG_ARCHIVE'), POLL);
    } finally {
      if (stopped) await stack.start('log-archive');
    }
    expect((await served('user-agent', 'LOG_ARCHIVE', { variant: 'summary', input: LOG_LINES })).payment?.status).toBe('MOCK');
  });
});

describe('GET /transactions', () => {
  beforeAll(async () => {
    for (let call = 0; call < 3; call += 1) await served('user-agent', 'PRICE_ORACLE', { input: ETH });
    for (let call = 0; call < 2; call += 1) await served('batch-agent', 'PRICE_ORACLE', { input: { base: 'BTC' } });
    await served('user-agent', 'LOG_ARCHIVE', { variant: 'summary', input: LOG_LINES });
    // refused by the provider's precheck: nothing is paid for it
    await invoke('user-agent', 'PRICE_ORACLE', { input: { base: 'ZZZ' } }).expect(404);
  });

  it('filters by agent, service and status', async () => {
    const all = await payments();
    expect(new Set(all.map((payment) => payment.agentId))).toEqual(new Set(['user-agent', 'batch-agent', 'ops-agent']));
    const batch = await payments('?agentId=batch-agent');
    expect(batch.length).toBeGreaterThanOrEqual(2);
    expect(batch.every((payment) => payment.agentId === 'batch-agent')).toBe(true);
    expect(batch).toEqual(all.filter((payment) => payment.agentId === 'batch-agent'));
    const archive = await payments('?serviceId=LOG_ARCHIVE');
    expect(archive.length).toBeGreaterThan(0);
    expect(archive).toEqual(all.filter((payment) => payment.serviceId === 'LOG_ARCHIVE'));
    const mock = await payments('?status=MOCK');
    expect(mock.length).toBeGreaterThan(0);
    expect(mock).toEqual(all.filter((payment) => payment.status === 'MOCK'));
    expect(await payments('?status=REFUNDED')).toEqual(all.filter((payment) => payment.status === 'REFUNDED'));
    const both = await payments('?agentId=user-agent&serviceId=PRICE_ORACLE&status=MOCK');
    expect(both).toEqual(all.filter((p) => p.agentId === 'user-agent' && p.serviceId === 'PRICE_ORACLE' && p.status === 'MOCK'));
  });

  it('pages with limit and nextCursor through every payment exactly once, newest first', async () => {
    const all = TransactionList.parse(
      (await gateway.http.get('/transactions?limit=200').set(gateway.auth('admin')).expect(200)).body,
    ).items;
    expect(all.length).toBeGreaterThan(4);
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/transactions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = TransactionList.parse((await gateway.http.get(url).set(gateway.auth('admin')).expect(200)).body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.items.map((payment) => payment.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    expect(walked).toEqual(all.map((payment) => payment.id));
    const times = all.map((payment) => payment.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('shows an agent key its own payments only, and 403 when it asks for another agent’s', async () => {
    const own = await payments('', 'batch-agent');
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((payment) => payment.agentId === 'batch-agent')).toBe(true);
    expect(await payments('?agentId=batch-agent', 'batch-agent')).toEqual(own);
    errorOf(await gateway.http.get('/transactions?agentId=user-agent').set(gateway.auth('batch-agent')), 403, 'FORBIDDEN');
  });

  it('refuses a bad status, limit, cursor or an unknown filter with 400', async () => {
    const get = (query: string) => gateway.http.get(`/transactions${query}`).set(gateway.auth('admin'));
    validationErrorOf(await get('?status=DONE'), ['query.status']);
    validationErrorOf(await get('?limit=0'), ['query.limit']);
    validationErrorOf(await get('?limit=201'), ['query.limit']);
    validationErrorOf(await get('?limit=ten'), ['query.limit']);
    validationErrorOf(await get('?cursor=not-a-cursor'), ['query.cursor']);
    validationErrorOf(await get('?agent=user-agent'), ['query']);
  });
});

describe('GET /policy/logs', () => {
  it('receives every decision through the outbox and filters by agent, service and action', async () => {
    const rejected = (await served('ops-agent', 'BATCH_COMPUTE', { input: { kind: 'primes', below: 100 } })).decision;
    const allowed = (await served('user-agent', 'PRICE_ORACLE', { input: ETH })).decision;
    await decisionsLogged([rejected.id, allowed.id]);

    const all = await decisions();
    const entry = all.find((logged) => logged.id === rejected.id);
    expect(entry).toMatchObject({ action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED', agentId: 'ops-agent', serviceId: 'BATCH_COMPUTE' });

    const ops = await decisions('?agentId=ops-agent');
    expect(ops.map((logged) => logged.id)).toContain(rejected.id);
    expect(ops).toEqual(all.filter((logged) => logged.agentId === 'ops-agent'));
    const batch = await decisions('?serviceId=BATCH_COMPUTE');
    expect(batch).toEqual(all.filter((logged) => logged.serviceId === 'BATCH_COMPUTE'));
    const refusals = await decisions('?action=REJECTED');
    expect(refusals.map((logged) => logged.id)).toContain(rejected.id);
    expect(refusals).toEqual(all.filter((logged) => logged.action === 'REJECTED'));
    expect(await decisions('?agentId=ops-agent&serviceId=BATCH_COMPUTE&action=REJECTED')).toEqual(
      all.filter((logged) => logged.agentId === 'ops-agent' && logged.serviceId === 'BATCH_COMPUTE' && logged.action === 'REJECTED'),
    );

    const first = PolicyLogList.parse((await gateway.http.get('/policy/logs?limit=1').set(gateway.auth('admin')).expect(200)).body);
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
  });

  it('shows an agent key its own decisions only, and 403 when it asks for another agent’s', async () => {
    const { decision } = await served('batch-agent', 'PRICE_ORACLE', { input: ETH });
    await decisionsLogged([decision.id]);
    const own = await decisions('', 'batch-agent');
    expect(own.map((logged) => logged.id)).toContain(decision.id);
    expect(own.every((logged) => logged.agentId === 'batch-agent')).toBe(true);
    errorOf(await gateway.http.get('/policy/logs?agentId=ops-agent').set(gateway.auth('batch-agent')), 403, 'FORBIDDEN');
  });

  it('refuses a bad action or limit with 400', async () => {
    validationErrorOf(await gateway.http.get('/policy/logs?action=MAYBE').set(gateway.auth('admin')), ['query.action']);
    validationErrorOf(await gateway.http.get('/policy/logs?limit=-1').set(gateway.auth('admin')), ['query.limit']);
  });
});

describe('POST /policy/simulate', () => {
  it('answers what the policy would decide without holding or spending anything', async () => {
    const before = await agentOf('user-agent');
    const decision = await simulate('user-agent', { serviceId: 'IMAGE_GEN', variant: 'draft' });
    expect(decision).toMatchObject({ action: 'ALLOWED', variant: 'draft', amount: '0.20', agentId: 'user-agent', serviceId: 'IMAGE_GEN' });
    const after = await agentOf('user-agent');
    expect([after.spentToday, after.reserved]).toEqual([before.spentToday, before.reserved]);
    expect(await simulate('admin', { agentId: 'ops-agent', serviceId: 'BATCH_COMPUTE' })).toMatchObject({
      action: 'REJECTED',
      reason: 'SERVICE_NOT_ALLOWED',
    });
  });

  it('answers 404 for an unknown agent or service, 403 for another agent, 400 for a bad body', async () => {
    const post = (who: Who, body: object) =>
      gateway.http
        .post('/policy/simulate')
        .set(gateway.auth(who))
        .send(body as Record<string, unknown>);
    errorOf(await post('user-agent', { serviceId: 'WEATHER' }), 404, 'SERVICE_NOT_FOUND');
    errorOf(await post('admin', { agentId: 'ghost-agent', serviceId: 'PRICE_ORACLE' }), 404, 'AGENT_NOT_FOUND');
    errorOf(await post('user-agent', { agentId: 'ops-agent', serviceId: 'PRICE_ORACLE' }), 403, 'FORBIDDEN');
    validationErrorOf(await post('user-agent', {}), ['body.serviceId']);
    validationErrorOf(await post('user-agent', { serviceId: 'PRICE_ORACLE', input: {} }), ['body']);
  });
});

describe('GET /stats', () => {
  it('agrees with the payments and the decisions: totals, actions, spend per agent, revenue per service', async () => {
    await served('batch-agent', 'LOG_ARCHIVE', { variant: 'summary', input: LOG_LINES });
    await invoke('batch-agent', 'PRICE_ORACLE', { input: { base: 'QQQ' } }).expect(404);
    // The outbox delivers in order: once this last decision is logged, every earlier event is.
    const marker = (await served('ops-agent', 'BATCH_COMPUTE', { input: { kind: 'primes', below: 10 } })).decision;
    await decisionsLogged([marker.id]);

    const stats = GatewayStats.parse((await gateway.http.get('/stats').set(gateway.auth('admin')).expect(200)).body);
    const ledger = await payments();
    const logged = await decisions();
    expect(ledger.some((payment) => payment.status === 'PENDING')).toBe(false);
    const spent = ledger.filter((payment) => payment.status === 'MOCK' || payment.status === 'SUCCESS');
    const count = (status: string) => ledger.filter((payment) => payment.status === status).length;
    expect(stats.transactions).toMatchObject({
      total: ledger.length,
      successful: ledger.length - count('FAILED'),
      failed: count('FAILED'),
      refunded: count('REFUNDED'),
    });
    const actions = (action: string) => logged.filter((entry) => entry.action === action).length;
    expect(stats.policy).toEqual({
      total: logged.length,
      allowed: actions('ALLOWED'),
      rejected: actions('REJECTED'),
      downgraded: actions('DOWNGRADED'),
      pendingApproval: actions('PENDING_APPROVAL'),
    });
    expect(canonicalMoney(stats.totalSpent)).toBe(sumMoney(spent.map((payment) => payment.amount)));

    const byKey = (key: 'agentId' | 'serviceId') => {
      const sums = new Map<string, string[]>();
      for (const payment of spent) sums.set(payment[key], [...(sums.get(payment[key]) ?? []), payment.amount]);
      return Object.fromEntries([...sums].map(([id, amounts]) => [id, sumMoney(amounts)]));
    };
    const nonZero = (amounts: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(amounts)
          .filter(([, amount]) => !/^-?0(\.0+)?$/.test(amount))
          .map(([id, amount]) => [id, canonicalMoney(amount)]),
      );
    expect(nonZero(stats.spendByAgent)).toEqual(byKey('agentId'));
    expect(nonZero(stats.revenueByService)).toEqual(byKey('serviceId'));
    expect(Object.keys(byKey('agentId')).sort()).toEqual(['batch-agent', 'ops-agent', 'user-agent']);
  });

  it('shows an agent key its own figures only', async () => {
    const stats = GatewayStats.parse((await gateway.http.get('/stats').set(gateway.auth('user-agent')).expect(200)).body);
    expect(Object.keys(stats.spendByAgent)).toEqual(['user-agent']);
    errorOf(await gateway.http.get('/stats?agentId=ops-agent').set(gateway.auth('user-agent')), 403, 'FORBIDDEN');
    validationErrorOf(await gateway.http.get('/stats?from=yesterday').set(gateway.auth('admin')), ['query.from']);
  });
});

describe('POST /reset', () => {
  it('starts a new budget period: every agent’s spend goes back to 0 (admin key only)', async () => {
    await served('user-agent', 'PRICE_ORACLE', { input: ETH });
    await served('ops-agent', 'PRICE_ORACLE', { input: ETH });
    expect(toBaseUnits((await agentOf('user-agent')).spentToday)).toBeGreaterThan(0n);
    errorOf(await gateway.http.post('/reset').set(gateway.auth('user-agent')), 403, 'FORBIDDEN');
    expect(toBaseUnits((await agentOf('user-agent')).spentToday)).toBeGreaterThan(0n);

    const reset = GatewayResetResponse.parse((await gateway.http.post('/reset').set(gateway.auth('admin')).expect(200)).body);
    expect(reset.periodId).toBeGreaterThan(reset.previousPeriodId);
    const agents = PublicAgentList.parse((await gateway.http.get('/agents').set(gateway.auth('admin')).expect(200)).body).items;
    for (const agent of agents) {
      expect({ id: agent.id, spent: toBaseUnits(agent.spentToday), reserved: toBaseUnits(agent.reserved) }).toEqual({
        id: agent.id,
        spent: 0n,
        reserved: 0n,
      });
      expect(agent.remaining).toBe(agent.dailyBudget);
    }
  });
});
