import request from 'supertest';
import { getAddress, verifyTypedData } from 'ethers';
import { TRANSFER_WITH_AUTHORIZATION_TYPES } from '@nexus/chain';
import { TestGrantIssuer } from '@nexus/clients/testing';
import { authAs } from '@nexus/service-kit/testing';
import { X402Eip3009Payload } from '@nexus/types';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { auth, createPaymentUnderTest, type PaymentUnderTest } from '../testing/payment-harness';
import { X402_SERVICE, mnee, startX402OutWorld, type X402OutWorld } from '../testing/x402-out-fixture';

jest.setTimeout(60_000);

const authorizationOf = (paymentSignature: string) => {
  const decoded = decodePaymentSignatureHeader(paymentSignature);
  return { decoded, ...X402Eip3009Payload.parse(decoded.payload) };
};

describe('POST /x402/payments: the treasury signs the x402 payment of a granted call, on a real Hardhat node', () => {
  let world: X402OutWorld;

  beforeAll(async () => {
    world = await startX402OutWorld();
  }, 60_000);
  afterAll(() => world?.close());

  it("signs exactly the grant's payment to the configured payTo; another account can settle it, moving exactly the amount", async () => {
    const { chain, payTo, domain } = world;
    const body = await world.body();
    const response = await world.pay(body);

    expect(response.status).toBe(201);
    const { decoded, authorization, signature } = authorizationOf(response.body.paymentSignature);
    expect(decoded).toMatchObject({ x402Version: 2, resource: body.resource, accepted: body.accepted });
    const typedDomain = { ...domain, chainId: 31337, verifyingContract: chain.deployment.token.address };
    expect(verifyTypedData(typedDomain, TRANSFER_WITH_AUTHORIZATION_TYPES, authorization, signature)).toBe(
      getAddress(chain.treasury.address),
    );
    expect(authorization).toMatchObject({ from: getAddress(chain.treasury.address), to: payTo, value: mnee('0.01').toString() });
    const now = Math.floor(Date.now() / 1000);
    expect(Number(authorization.validBefore)).toBeGreaterThan(now + 55);
    expect(Number(authorization.validBefore)).toBeLessThanOrEqual(now + 60);
    expect(response.body.payment).toMatchObject({
      status: 'PENDING',
      method: 'x402-out',
      serviceId: X402_SERVICE,
      payee: payTo,
      amount: '0.01',
      payer: getAddress(chain.treasury.address),
      authorizationNonce: authorization.nonce.toLowerCase(),
      served: null,
      replayed: false,
    });
    // the hold was pinned before the answer: the authorization may land until its validBefore
    expect(world.reports).toContainEqual({
      action: 'pin',
      reservationId: response.body.payment.reservationId,
      paymentId: response.body.payment.id,
    });

    const [treasuryBefore, payToBefore] = await Promise.all([
      world.token().balanceOf(chain.treasury.address),
      world.token().balanceOf(payTo),
    ]);
    await world.submit(response.body.paymentSignature);
    expect(await world.token().balanceOf(payTo)).toBe(payToBefore + mnee('0.01'));
    expect(await world.token().balanceOf(chain.treasury.address)).toBe(treasuryBefore - mnee('0.01'));
  });

  it("lets the authorization expire 15 s before the grant's hold, the offer in the payload as the service gave it", async () => {
    const expiresAt = new Date(Date.now() + 40_000);
    const body = await world.body({ expiresAt, accepted: { maxTimeoutSeconds: 300 } });
    const response = await world.pay(body);

    expect(response.status).toBe(201);
    const { decoded, authorization } = authorizationOf(response.body.paymentSignature);
    const latest = Math.floor(expiresAt.getTime() / 1000) - 15;
    expect(Number(authorization.validBefore)).toBeLessThanOrEqual(latest);
    expect(Number(authorization.validBefore)).toBeGreaterThanOrEqual(latest - 3);
    expect(decoded.accepted.maxTimeoutSeconds).toBe(300);
  });

  it('refuses to sign when less than 10 s of the hold would be left to settle it', async () => {
    const body = await world.body({ expiresAt: new Date(Date.now() + 20_000) });
    const response = await world.pay(body);

    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'X402_OFFER_REFUSED', details: [{ path: 'body.accepted.maxTimeoutSeconds' }] });
    expect(await world.payment.store.findByIdempotencyKey(body.idempotencyKey)).toBeUndefined();
  });

  it.each([
    ['amount', () => ({ amount: mnee('0.02').toString() })],
    ['payTo', () => ({ payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })],
    ['network', () => ({ network: 'eip155:1' })],
    ['asset', () => ({ asset: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })],
    ['scheme', () => ({ scheme: 'upto' })],
    ['extra.name', () => ({ extra: { version: world.domain.version } })],
  ])('refuses an offer whose %s is not the grant’s: 422 X402_OFFER_REFUSED, nothing signed or written', async (field, offer) => {
    const body = await world.body({ accepted: offer() });
    const response = await world.pay(body);

    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: 'X402_OFFER_REFUSED', details: [{ path: `body.accepted.${field}` }] });
    expect(await world.payment.store.findByIdempotencyKey(body.idempotencyKey)).toBeUndefined();
  });

  it('takes the asset and payTo in any letter case', async () => {
    const body = await world.body({
      accepted: { asset: world.chain.deployment.token.address.toLowerCase(), payTo: world.payTo.toLowerCase() },
    });
    expect((await world.pay(body)).status).toBe(201);
  });

  it.each([
    ['a grant the policy did not sign', () => new TestGrantIssuer().issue({ serviceId: X402_SERVICE, amount: '0.01' })],
    [
      'an expired grant',
      () => world.payment.grants.issue({ serviceId: X402_SERVICE, amount: '0.01', expiresAt: new Date(Date.now() - 1_000) }),
    ],
    ["a provider's grant", () => world.payment.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.01' })],
  ])('refuses %s: 403 GRANT_INVALID, nothing written', async (_name, grant) => {
    const body = { ...(await world.body()), grant: await grant() };
    const response = await world.pay(body);

    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('GRANT_INVALID');
    expect(await world.payment.store.findByIdempotencyKey(body.idempotencyKey)).toBeUndefined();
  });

  it('refuses a grant for an x402 service on POST /payments: it is never paid through the router', async () => {
    const { grant, idempotencyKey } = await world.body();
    const response = await request(world.payment.app).post('/payments').set(auth).send({ grant, idempotencyKey });

    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('GRANT_INVALID');
    expect(response.body.error.message).toContain('/x402/payments');
    expect(await world.payment.store.findByIdempotencyKey(idempotencyKey)).toBeUndefined();
  });

  it('takes the gateway only', async () => {
    const body = await world.body();
    for (const caller of ['operator', 'image-gen'] as const) expect((await world.pay(body, authAs(caller))).status).toBe(403);
    expect(
      (await request(world.payment.app).post('/x402/payments/pay_0/outcome').set(authAs('operator')).send({ served: true })).status,
    ).toBe(403);
  });

  describe('idempotency', () => {
    it('answers a retry with the same payment and the very same signed authorization, signing nothing new', async () => {
      const body = await world.body();
      const first = await world.pay(body);
      const retry = await world.pay(body);

      expect(first.status).toBe(201);
      expect(retry.status).toBe(200);
      expect(retry.body.payment).toMatchObject({ id: first.body.payment.id, replayed: true });
      expect(retry.body.paymentSignature).toBe(first.body.paymentSignature);
    });

    it('answers a retry with an expired grant with its payment, made in time', async () => {
      const expiresAt = new Date(Date.now() + 27_000);
      const body = await world.body({ expiresAt });
      const first = await world.pay(body);
      expect(first.status).toBe(201);

      jest.useFakeTimers({ now: expiresAt.getTime() + 1_000, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval'] });
      try {
        const retry = await world.pay(body);
        expect(retry.status).toBe(200);
        expect(retry.body.paymentSignature).toBe(first.body.paymentSignature);
        const fresh = await world.pay({ ...body, idempotencyKey: `${body.idempotencyKey}-fresh` });
        expect(fresh.status).toBe(403);
      } finally {
        jest.useRealTimers();
      }
    });

    it('refuses another grant under a known key (409 IDEMPOTENCY_KEY_REUSED) and the same hold under another key (409 RESERVATION_ALREADY_PAID)', async () => {
      const body = await world.body();
      expect((await world.pay(body)).status).toBe(201);

      const otherGrant = await world.body({ idempotencyKey: body.idempotencyKey });
      const reused = await world.pay(otherGrant);
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

      const sameHold = await world.pay({ ...body, idempotencyKey: `${body.idempotencyKey}-again` });
      expect(sameHold.status).toBe(409);
      expect(sameHold.body.error.code).toBe('RESERVATION_ALREADY_PAID');
    });
  });
});

describe('POST /x402/payments in mock mode', () => {
  let payment: PaymentUnderTest;
  beforeAll(async () => {
    payment = await createPaymentUnderTest({ x402Services: [{ id: X402_SERVICE, payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }] });
  });
  afterAll(() => payment?.close());

  it('answers 409 X402_NEEDS_CHAIN_MODE: there is no chain to pay on', async () => {
    const pay = await request(payment.app).post('/x402/payments').set(auth).send({});
    const outcome = await request(payment.app).post('/x402/payments/pay_0/outcome').set(auth).send({ served: true });
    for (const response of [pay, outcome]) {
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('X402_NEEDS_CHAIN_MODE');
    }
  });
});
