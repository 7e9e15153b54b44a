import request from 'supertest';
import { verifyGrant } from '@nexus/clients';
import type { Decision } from '@nexus/types';
import { ruleTestConfig } from './testing/fixtures';
import { TEST_TOKEN, createPolicyUnderTest, type PolicyUnderTest } from './testing/policy-harness';

/** An x402 service (services.yaml `kind: x402`): priced per call by its 402 answer, capped by maxPrice (docs/x402.md). */
const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const now = new Date('2026-05-01T10:00:00.000Z');
let policy: PolicyUnderTest;
let keys = 0;

beforeEach(async () => {
  policy = await createPolicyUnderTest({ config: ruleTestConfig(), clock: () => now });
});
afterEach(() => policy.close());

const api = () => request(policy.app);
const decide = (body: Record<string, unknown>) =>
  api()
    .post('/decisions')
    .set(auth)
    .send({ idempotencyKey: `x402-${++keys}`, ...body });
const reserved = async (agentId: string) => (await api().get(`/agents/${agentId}`).set(auth)).body.reserved as string;

describe('x402 services', () => {
  it('holds the price the call brings and signs a grant for it', async () => {
    const res = await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.12' });
    expect(res.status).toBe(201);
    const decision = res.body as Decision;
    expect(decision).toMatchObject({ action: 'ALLOWED', reason: 'WITHIN_POLICY', variant: 'x402', amount: '0.12' });
    expect(await reserved('high')).toBe('0.12');
    const check = await verifyGrant(decision.grant ?? '', policy.grantPublicKey, now);
    expect(check).toMatchObject({ valid: true, claims: { serviceId: 'PAID_API', variant: 'x402', amount: '0.12' } });
  });

  it('rejects a price above maxPrice as a decision on record, holding nothing', async () => {
    const res = await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.51' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ action: 'REJECTED', reason: 'PRICE_ABOVE_MAX', amount: '0.51', grant: null, reservationId: null });
    expect(res.body.message).toContain('maxPrice of 0.50');
    expect(await reserved('high')).toBe('0.00');
    // maxPrice itself is allowed
    expect((await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.50' })).body).toMatchObject({ action: 'ALLOWED' });
  });

  it('applies the agent rules to the price: per-call maximum, budget, who may call', async () => {
    await api().put('/agents/high/budget').set(auth).send({ maxPerCall: '0.10' });
    expect((await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.20' })).body).toMatchObject({
      action: 'REJECTED',
      reason: 'PER_CALL_LIMIT_EXCEEDED',
    });
    expect((await decide({ agentId: 'medium', serviceId: 'PAID_API', price: '0.01' })).body).toMatchObject({
      action: 'REJECTED',
      reason: 'SERVICE_NOT_ALLOWED',
    });
  });

  it('never downgrades an x402 call: it has one price', async () => {
    await api().put('/agents/high/budget').set(auth).send({ dailyBudget: '0.30' });
    expect((await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.40' })).body).toMatchObject({
      action: 'REJECTED',
      reason: 'DAILY_BUDGET_EXCEEDED',
    });
    expect((await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.25' })).body).toMatchObject({ action: 'ALLOWED' });
  });

  it('replays the first decision for the same key, whatever price comes again', async () => {
    const first = await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.10', idempotencyKey: 'same' });
    const again = await decide({ agentId: 'high', serviceId: 'PAID_API', price: '0.30', idempotencyKey: 'same' });
    expect(again.body).toMatchObject({ replayed: true, amount: '0.10', reservationId: first.body.reservationId });
    expect(await reserved('high')).toBe('0.10');
  });

  it.each([
    ['no price for an x402 service', { serviceId: 'PAID_API' }, 'is required for PAID_API'],
    ['a price for one of our providers', { serviceId: 'QUOTE', price: '0.01' }, 'is only for x402 services'],
  ])('answers 400 to %s and holds nothing', async (_name, body, message) => {
    const res = await decide({ agentId: 'high', ...body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ path: 'body.price', message: expect.stringContaining(message) }],
    });
    expect(await reserved('high')).toBe('0.00');
  });

  it.each([
    ['a float', 0.1],
    ['zero', '0'],
    ['a negative amount', '-0.10'],
  ])('answers 400 to %s as the price', async (_name, price) => {
    const res = await decide({ agentId: 'high', serviceId: 'PAID_API', price });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('body.price');
  });

  it('simulates with the price, reserving nothing', async () => {
    const res = await api().post('/decisions/simulate').set(auth).send({ agentId: 'high', serviceId: 'PAID_API', price: '0.60' });
    expect(res.body).toMatchObject({ action: 'REJECTED', reason: 'PRICE_ABOVE_MAX', simulated: true });
  });
});
