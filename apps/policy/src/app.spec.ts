import request from 'supertest';
import { verifyGrant } from '@nexus/clients';
import type { Decision } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
let now = new Date('2026-05-01T10:00:00.000Z');
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};
let policy: PolicyUnderTest;
let keys = 0;

beforeEach(async () => {
  now = new Date('2026-05-01T10:00:00.000Z');
  policy = await createPolicyUnderTest({ config: ruleTestConfig(), clock: () => now });
});
afterEach(() => policy.close());

const api = () => request(policy.app);
const decide = (body: Record<string, unknown>) =>
  api()
    .post('/decisions')
    .set(auth)
    .send({ idempotencyKey: `key-${++keys}`, ...body });

function expectError(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(JSON.stringify(res.body)).not.toMatch(/at .+\.ts:\d+/);
}

describe('policy service HTTP API', () => {
  describe('auth', () => {
    const id = `res_${'0'.repeat(32)}`;
    it.each([
      ['POST', '/decisions'],
      ['POST', '/decisions/simulate'],
      ['GET', `/decisions/dec_${'0'.repeat(32)}`],
      ['GET', `/reservations/${id}`],
      ['POST', `/reservations/${id}/commit`],
      ['POST', `/reservations/${id}/release`],
      ['POST', '/reservations/commits'],
      ['GET', '/agents'],
      ['GET', '/agents/high'],
      ['PUT', '/agents/high/budget'],
      ['POST', '/agents/high/pause'],
      ['POST', '/agents/high/resume'],
      ['GET', '/period'],
      ['POST', '/period/reset'],
    ])('answers 401 to %s %s without the token, and changes nothing', async (method, path) => {
      const res = await api()[method === 'GET' ? 'get' : method === 'PUT' ? 'put' : 'post'](path).send({ dailyBudget: '0.01' });
      expectError(res, 401, 'UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ dailyBudget: '10.00', paused: false, periodId: 1 });
    });

    it('needs the internal token on every route but health and metrics', async () => {
      expectError(await api().get('/agents'), 401, 'UNAUTHORIZED');
      expectError(await api().post('/decisions').set({ Authorization: 'Bearer wrong-token' }).send({}), 401, 'UNAUTHORIZED');
      expect((await api().get('/health')).status).toBe(200);
      expect((await api().get('/metrics')).status).toBe(200);
    });
  });

  describe('health and metrics', () => {
    it('reports the store as ready', async () => {
      const res = await api().get('/health');
      expect(res.body).toMatchObject({ status: 'ok', service: 'policy', checks: { store: { status: 'ok' } } });
    });

    it('reports 503 once the store is gone', async () => {
      await policy.store.close();
      const res = await api().get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'unavailable', checks: { store: { status: 'failing' } } });
      policy = await createPolicyUnderTest({ config: ruleTestConfig(), clock: () => now });
    });

    it('counts decisions by action and reason, replays apart, and settled holds by status', async () => {
      const first = await decide({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'counted' });
      await decide({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'counted' });
      await decide({ agentId: 'quotes-only', serviceId: 'ARCHIVE' });
      await api().post(`/reservations/${first.body.reservationId}/commit`).set(auth).send({});
      const metrics = (await api().get('/metrics')).text;
      expect(metrics).toContain('policy_decisions_total{action="ALLOWED",reason="WITHIN_POLICY",service="policy"} 1');
      expect(metrics).toContain('policy_decisions_total{action="REJECTED",reason="SERVICE_NOT_ALLOWED",service="policy"} 1');
      expect(metrics).toContain('policy_idempotent_replays_total{service="policy"} 1');
      expect(metrics).toContain('policy_holds_settled_total{status="COMMITTED",service="policy"} 1');
    });

    it('exports request durations by route template', async () => {
      await decide({ agentId: 'high', serviceId: 'QUOTE' });
      const metrics = (await api().get('/metrics')).text;
      expect(metrics).toMatch(
        /http_request_duration_seconds_count\{service="policy",method="POST",route="\/decisions",status_code="201"\} 1/,
      );
    });
  });

  describe('POST /decisions', () => {
    it('allows and holds the price', async () => {
      const res = await decide({ agentId: 'high', serviceId: 'QUOTE' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        action: 'ALLOWED',
        reason: 'WITHIN_POLICY',
        variant: 'query',
        amount: '0.05',
        reservationId: expect.stringMatching(/^res_/),
        expiresAt: '2026-05-01T10:02:00.000Z',
        simulated: false,
        replayed: false,
      });
      const agent = await api().get('/agents/high').set(auth);
      expect(agent.body).toMatchObject({ spentToday: '0.00', reserved: '0.05', remaining: '9.95' });
    });

    it('answers a repeated idempotency key with the first decision and holds nothing new', async () => {
      const first = await decide({ agentId: 'high', serviceId: 'ARCHIVE', idempotencyKey: 'retry-me' });
      const again = await decide({ agentId: 'high', serviceId: 'ARCHIVE', idempotencyKey: 'retry-me' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, replayed: true });
      expect((await api().get('/agents/high').set(auth)).body.reserved).toBe('1.00');
    });

    it('refuses an idempotency key reused for another request', async () => {
      await decide({ agentId: 'high', serviceId: 'ARCHIVE', idempotencyKey: 'once' });
      expectError(await decide({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'once' }), 409, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('records a rejection with its reason and holds nothing', async () => {
      const res = await decide({ agentId: 'quotes-only', serviceId: 'ARCHIVE' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ action: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED', reservationId: null, expiresAt: null });
      expect((await api().get(`/decisions/${res.body.id}`).set(auth)).body).toMatchObject({
        id: res.body.id,
        reason: 'SERVICE_NOT_ALLOWED',
      });
    });

    it('rejects an unknown agent as a decision, so the attempt is on record', async () => {
      const res = await decide({ agentId: 'nobody', serviceId: 'QUOTE' });
      expect(res.body).toMatchObject({ action: 'REJECTED', reason: 'AGENT_UNKNOWN' });
    });

    it.each([
      ['a missing body', undefined, 'body.agentId'],
      ['a missing idempotency key', { agentId: 'high', serviceId: 'QUOTE', idempotencyKey: undefined }, 'body.idempotencyKey'],
      ['an unknown field', { agentId: 'high', serviceId: 'QUOTE', amount: '0.01' }, 'body'],
      ['an id with spaces', { agentId: 'high agent', serviceId: 'QUOTE' }, 'body.agentId'],
      ['a numeric service id', { agentId: 'high', serviceId: 7 }, 'body.serviceId'],
    ])('answers 400 to %s', async (_name, body, path) => {
      const res = body === undefined ? await api().post('/decisions').set(auth) : await decide(body as Record<string, unknown>);
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it('answers 400 to malformed JSON and 413 to a huge body', async () => {
      expectError(
        await api().post('/decisions').set(auth).set('Content-Type', 'application/json').send('{"agentId":'),
        400,
        'MALFORMED_JSON',
      );
      expectError(
        await decide({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'k'.repeat(200), padding: 'x'.repeat(200_000) }),
        413,
        'PAYLOAD_TOO_LARGE',
      );
    });
  });

  describe('grants', () => {
    it('signs each hold it grants: a grant the payment service accepts, carrying the hold and expiring with it', async () => {
      const res = await decide({ agentId: 'high', serviceId: 'ARCHIVE', variant: 'compact' });
      const decision = res.body as Decision;
      expect(decision).toMatchObject({ action: 'ALLOWED', grant: expect.any(String) });

      const check = await verifyGrant(decision.grant ?? '', policy.grantPublicKey, now);

      expect(check).toEqual({
        valid: true,
        expired: false,
        claims: {
          iss: 'nexus-policy',
          aud: 'nexus-payment',
          jti: decision.reservationId,
          exp: Date.parse(decision.expiresAt ?? '') / 1000,
          decisionId: decision.id,
          reservationId: decision.reservationId,
          agentId: 'high',
          serviceId: 'ARCHIVE',
          variant: 'compact',
          amount: '0.50',
        },
      });
      advance(120_000);
      expect(await verifyGrant(decision.grant ?? '', policy.grantPublicKey, now)).toMatchObject({ valid: true, expired: true });
    });

    it('gives a replayed decision the grant of the same hold', async () => {
      const first = await decide({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'grant-replay' });
      const again = await decide({ agentId: 'high', serviceId: 'QUOTE', idempotencyKey: 'grant-replay' });
      expect(again.body).toMatchObject({ replayed: true, reservationId: first.body.reservationId, grant: first.body.grant });
      expect(first.body.grant).toEqual(expect.any(String));
    });

    it('grants nothing to a rejection, a simulation or a decision read back', async () => {
      const rejected = await decide({ agentId: 'quotes-only', serviceId: 'ARCHIVE' });
      const simulated = await api().post('/decisions/simulate').set(auth).send({ agentId: 'high', serviceId: 'ARCHIVE' });
      const allowed = await decide({ agentId: 'high', serviceId: 'QUOTE' });
      const readBack = await api().get(`/decisions/${allowed.body.id}`).set(auth);
      const listed = await api().get('/decisions').set(auth);

      expect([rejected.body.grant, simulated.body.grant, readBack.body.grant]).toEqual([null, null, null]);
      expect(allowed.body.grant).toEqual(expect.any(String));
      expect((listed.body.items as Decision[]).map((item) => item.grant)).toEqual([null, null]);
    });
  });

  describe('POST /decisions/simulate', () => {
    it('gives the answer decide would give and reserves nothing', async () => {
      const res = await api().post('/decisions/simulate').set(auth).send({ agentId: 'high', serviceId: 'ARCHIVE' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ action: 'ALLOWED', amount: '1.00', simulated: true, reservationId: null });
      expect((await api().get('/agents/high').set(auth)).body.reserved).toBe('0.00');
    });

    it('does not take an idempotency key', async () => {
      const res = await api().post('/decisions/simulate').set(auth).send({ agentId: 'high', serviceId: 'ARCHIVE', idempotencyKey: 'x' });
      expectError(res, 400, 'VALIDATION_ERROR');
    });
  });

  describe('reservations', () => {
    async function hold(serviceId = 'ARCHIVE'): Promise<Decision> {
      return (await decide({ agentId: 'high', serviceId })).body as Decision;
    }

    it('commits a hold at a lower actual amount', async () => {
      const { reservationId } = await hold();
      const res = await api().post(`/reservations/${reservationId}/commit`).set(auth).send({ amount: '0.75' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'COMMITTED', amount: '1.00', committedAmount: '0.75' });
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ spentToday: '0.75', reserved: '0.00', remaining: '9.25' });
    });

    it('commits the whole hold without a body', async () => {
      const { reservationId } = await hold();
      const res = await api().post(`/reservations/${reservationId}/commit`).set(auth);
      expect(res.body).toMatchObject({ status: 'COMMITTED', committedAmount: '1.00' });
    });

    it('never charges twice: the same commit again answers the commit, another amount or a release after it is a 409', async () => {
      const { reservationId } = await hold();
      await api().post(`/reservations/${reservationId}/commit`).set(auth).send({});
      const again = await api().post(`/reservations/${reservationId}/commit`).set(auth).send({ amount: '1.00' });
      expect(again.body).toMatchObject({ status: 'COMMITTED', committedAmount: '1.00' });
      expectError(
        await api().post(`/reservations/${reservationId}/commit`).set(auth).send({ amount: '0.50' }),
        409,
        'RESERVATION_ALREADY_SETTLED',
      );
      expectError(await api().post(`/reservations/${reservationId}/release`).set(auth).send({}), 409, 'RESERVATION_ALREADY_SETTLED');
      expect((await api().get('/agents/high').set(auth)).body.spentToday).toBe('1.00');
    });

    it('refuses to commit more than the hold (422) and keeps the hold', async () => {
      const { reservationId } = await hold();
      expectError(await api().post(`/reservations/${reservationId}/commit`).set(auth).send({ amount: '1.01' }), 422, 'COMMIT_EXCEEDS_HOLD');
      expect((await api().get(`/reservations/${reservationId}`).set(auth)).body.status).toBe('HELD');
    });

    it('stops counting an expired hold, and counts it as spend when its payment commits it late', async () => {
      const { reservationId } = await hold();
      advance(120_000);
      expect(await policy.policy.housekeeping()).toMatchObject({ expired: 1 });
      expect((await api().get(`/reservations/${reservationId}`).set(auth)).body.status).toBe('EXPIRED');
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ reserved: '0.00', remaining: '10.00' });

      const release = await api().post(`/reservations/${reservationId}/release`).set(auth).send({ reason: 'payment failed' });
      expect(release.status).toBe(200);
      expect(release.body.status).toBe('EXPIRED');

      const commit = await api().post(`/reservations/${reservationId}/commit`).set(auth).send({});
      expect(commit.status).toBe(200);
      expect(commit.body).toMatchObject({ status: 'COMMITTED', committedAmount: '1.00' });
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ spentToday: '1.00', reserved: '0.00', remaining: '9.00' });
    });

    it('commits several holds in one request, each answered in its place as a lone commit would be', async () => {
      const first = await hold();
      const second = await hold();
      const unknown = `res_${'1'.repeat(32)}`;
      await api().post(`/reservations/${second.reservationId}/release`).set(auth).send({});
      const res = await api()
        .post('/reservations/commits')
        .set(auth)
        .send({
          commits: [
            { reservationId: first.reservationId, amount: '0.75' },
            { reservationId: unknown },
            { reservationId: second.reservationId },
            { reservationId: first.reservationId, amount: '0.75' },
          ],
        });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([
        { reservationId: first.reservationId, reservation: expect.objectContaining({ status: 'COMMITTED', committedAmount: '0.75' }) },
        { reservationId: unknown, error: { code: 'RESERVATION_NOT_FOUND', message: expect.any(String) } },
        { reservationId: second.reservationId, error: { code: 'RESERVATION_ALREADY_SETTLED', message: expect.any(String) } },
        { reservationId: first.reservationId, reservation: expect.objectContaining({ status: 'COMMITTED', committedAmount: '0.75' }) },
      ]);
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ spentToday: '0.75', reserved: '0.00' });
    });

    it('refuses an empty or oversized batch of commits with a 400, committing nothing', async () => {
      const { reservationId } = await hold();
      expectError(await api().post('/reservations/commits').set(auth).send({ commits: [] }), 400, 'VALIDATION_ERROR');
      const tooMany = Array.from({ length: 101 }, () => ({ reservationId }));
      expectError(await api().post('/reservations/commits').set(auth).send({ commits: tooMany }), 400, 'VALIDATION_ERROR');
      expect((await api().get(`/reservations/${reservationId}`).set(auth)).body.status).toBe('HELD');
    });

    it('releases a hold: nothing is charged', async () => {
      const { reservationId } = await hold();
      const res = await api().post(`/reservations/${reservationId}/release`).set(auth).send({ reason: 'payment failed' });
      expect(res.body).toMatchObject({ status: 'RELEASED', committedAmount: null, releaseReason: 'payment failed' });
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ spentToday: '0.00', reserved: '0.00' });
    });

    it('answers 404 to an unknown reservation and 400 to a malformed id', async () => {
      expectError(
        await api()
          .post(`/reservations/res_${'0'.repeat(32)}/commit`)
          .set(auth)
          .send({}),
        404,
        'RESERVATION_NOT_FOUND',
      );
      expectError(
        await api()
          .get(`/reservations/res_${'0'.repeat(32)}`)
          .set(auth),
        404,
        'RESERVATION_NOT_FOUND',
      );
      expectError(await api().post('/reservations/not-an-id/release').set(auth).send({}), 400, 'VALIDATION_ERROR');
      expectError(
        await api()
          .get(`/decisions/dec_${'0'.repeat(32)}`)
          .set(auth),
        404,
        'DECISION_NOT_FOUND',
      );
    });

    it.each([['-1.00'], ['0.1234567'], ['1e2'], [0.5], ['abc']])(
      'answers 400 to the commit amount %j and changes nothing',
      async (amount) => {
        const { reservationId } = await hold();
        const res = await api().post(`/reservations/${reservationId}/commit`).set(auth).send({ amount });
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(res.body.error.details[0].path).toBe('body.amount');
        expect((await api().get(`/reservations/${reservationId}`).set(auth)).body.status).toBe('HELD');
      },
    );
  });

  describe('agents', () => {
    it('lists every configured agent with budget, spend, holds and what is left', async () => {
      const res = await api().get('/agents').set(auth);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items.map((a: { id: string }) => a.id)).toEqual(['high', 'medium', 'low', 'quotes-only']);
      expect(res.body.items[0]).toEqual({
        id: 'high',
        name: 'High',
        priority: 'HIGH',
        dailyBudget: '10.00',
        maxPerCall: '2.00',
        spentToday: '0.00',
        reserved: '0.00',
        remaining: '10.00',
        paused: false,
        allowedServices: ['ARCHIVE', 'COMPUTE', 'QUOTE', 'PAID_API'],
        periodId: 1,
        weeklyBudget: null,
        monthlyBudget: null,
        windows: [
          {
            window: 'daily',
            startsAt: '2026-05-01T00:00:00.000Z',
            endsAt: '2026-05-02T00:00:00.000Z',
            budget: '10.00',
            spent: '0.00',
            reserved: '0.00',
            remaining: '10.00',
          },
        ],
        approvalAbove: null,
        approvalAboveByService: {},
      });
    });

    it('answers 404 to an unknown agent on every agent route', async () => {
      expectError(await api().get('/agents/ghost').set(auth), 404, 'AGENT_NOT_FOUND');
      expectError(await api().put('/agents/ghost/budget').set(auth).send({ dailyBudget: '1.00' }), 404, 'AGENT_NOT_FOUND');
      expectError(await api().post('/agents/ghost/pause').set(auth), 404, 'AGENT_NOT_FOUND');
      expectError(await api().post('/agents/ghost/resume').set(auth), 404, 'AGENT_NOT_FOUND');
    });

    it('updates the budget and the per-call maximum, and the rules use them at once', async () => {
      const res = await api().put('/agents/high/budget').set(auth).send({ dailyBudget: '0.50', maxPerCall: '0.40' });
      expect(res.body).toMatchObject({ dailyBudget: '0.50', maxPerCall: '0.40', remaining: '0.50' });
      expect((await decide({ agentId: 'high', serviceId: 'ARCHIVE' })).body).toMatchObject({
        action: 'DOWNGRADED',
        reason: 'PER_CALL_LIMIT_DOWNGRADE',
        variant: 'summary',
      });
      const partial = await api().put('/agents/high/budget').set(auth).send({ maxPerCall: '1.00' });
      expect(partial.body).toMatchObject({ dailyBudget: '0.50', maxPerCall: '1.00' });
    });

    it.each([
      [{}],
      [{ dailyBudget: 5 }],
      [{ dailyBudget: '-5.00' }],
      [{ maxPerCall: '1.0000001' }],
      [{ dailyBudget: '1.00', extra: true }],
    ])('answers 400 to the budget update %j and changes nothing', async (body) => {
      expectError(await api().put('/agents/high/budget').set(auth).send(body), 400, 'VALIDATION_ERROR');
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ dailyBudget: '10.00', maxPerCall: '2.00' });
    });

    it('pauses and resumes an agent', async () => {
      expect((await api().post('/agents/low/pause').set(auth)).body.paused).toBe(true);
      expect((await decide({ agentId: 'low', serviceId: 'QUOTE' })).body.reason).toBe('AGENT_PAUSED');
      expect((await api().post('/agents/low/resume').set(auth)).body.paused).toBe(false);
      expect((await decide({ agentId: 'low', serviceId: 'QUOTE' })).body.action).toBe('ALLOWED');
    });
  });

  describe('budget periods', () => {
    it('resets every budget on demand; a hold from before settles against its own period', async () => {
      const held = await decide({ agentId: 'high', serviceId: 'ARCHIVE' });
      const reset = await api().post('/period/reset').set(auth);
      expect(reset.body).toMatchObject({
        previousPeriodId: 1,
        period: { id: 2, startedAt: now.toISOString(), endsAt: '2026-05-02T00:00:00.000Z' },
      });
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ reserved: '0.00', remaining: '10.00', periodId: 2 });
      const committed = await api().post(`/reservations/${held.body.reservationId}/commit`).set(auth).send({});
      expect(committed.body).toMatchObject({ status: 'COMMITTED', periodId: 1 });
      expect((await api().get('/agents/high').set(auth)).body.spentToday).toBe('0.00');
    });

    it('starts a new period by itself at UTC midnight', async () => {
      await decide({ agentId: 'high', serviceId: 'COMPUTE' }).then((r) =>
        api().post(`/reservations/${r.body.reservationId}/commit`).set(auth).send({}),
      );
      expect((await api().get('/agents/high').set(auth)).body.spentToday).toBe('1.50');
      now = new Date('2026-05-02T00:00:00.000Z');
      expect((await api().get('/period').set(auth)).body).toEqual({
        id: 2,
        startedAt: '2026-05-02T00:00:00.000Z',
        endsAt: '2026-05-03T00:00:00.000Z',
      });
      expect((await api().get('/agents/high').set(auth)).body).toMatchObject({ spentToday: '0.00', remaining: '10.00' });
    });
  });

  it('answers unknown routes with a 404 in the error format', async () => {
    expectError(await api().get('/nope').set(auth), 404, 'NOT_FOUND');
  });

  it('echoes a caller request id and makes one otherwise', async () => {
    expect((await api().get('/health').set('X-Request-Id', 'trace-123')).headers['x-request-id']).toBe('trace-123');
    expect((await api().get('/health')).headers['x-request-id']).toMatch(/^req_/);
  });
});
