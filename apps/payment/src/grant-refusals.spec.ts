import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import request, { type Response } from 'supertest';
import { ErrorBody, Payment, PaymentList } from '@nexus/types';
import { auth, createPaymentUnderTest, type PaymentUnderTest } from './testing/payment-harness';

// config/services.yaml: IMAGE_GEN pays Hardhat #1, PRICE_ORACLE Hardhat #2.
const IMAGE_GEN_PAYEE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const PRICE_ORACLE_PAYEE = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

let sequence = 0;
const key = (label: string) => `${label}-${(sequence += 1)}`;

const post = (service: PaymentUnderTest, body: Record<string, unknown>) => request(service.app).post('/payments').set(auth).send(body);

/** The same token with some claims changed and the policy's signature kept. */
function tampered(grant: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = grant.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...claims, ...changes })).toString('base64url'), signature].join('.');
}

function refusal(response: Response): string {
  expect({ status: response.status, code: ErrorBody.safeParse(response.body).data?.error.code }).toEqual({
    status: 403,
    code: 'GRANT_INVALID',
  });
  return ErrorBody.parse(response.body).error.message;
}

describe('the payment service pays only on a live grant of the policy', () => {
  let service: PaymentUnderTest;
  beforeEach(async () => {
    service = await createPaymentUnderTest();
  });
  afterEach(async () => {
    await service?.close();
  });

  /** Nothing in the ledger: no row, so no MOCK record and nothing sent. */
  const expectNothingPaid = async () => {
    const listed = PaymentList.parse((await request(service.app).get('/payments').set(auth)).body);
    expect(listed.items).toEqual([]);
  };

  it('pays a valid grant its amount, to the payee its own services.yaml names for the service', async () => {
    const grant = await service.grants.issue({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', variant: 'query', amount: '0.05' });

    const response = await post(service, { grant, idempotencyKey: key('valid') });

    expect(response.status).toBe(201);
    expect(Payment.parse(response.body)).toMatchObject({
      status: 'MOCK',
      amount: '0.05',
      serviceId: 'PRICE_ORACLE',
      payee: PRICE_ORACLE_PAYEE,
    });
  });

  it('refuses a grant signed with another key (forged): 403, nothing paid', async () => {
    const forged = await service.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' }, generateKeyPairSync('ed25519').privateKey);

    expect(refusal(await post(service, { grant: forged, idempotencyKey: key('forged') }))).toMatch(/signature/);
    await expectNothingPaid();
  });

  it('refuses a grant whose hold has expired: 403, nothing paid', async () => {
    const expired = await service.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50', expiresAt: new Date(Date.now() - 1_000) });

    expect(refusal(await post(service, { grant: expired, idempotencyKey: key('expired') }))).toMatch(/expired/);
    await expectNothingPaid();
  });

  it('pays a reservation once: the same grant under a new idempotency key is refused, and nothing more is paid', async () => {
    const grant = await service.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' });
    const first = Payment.parse((await post(service, { grant, idempotencyKey: key('first') })).body);

    const replayed = await post(service, { grant, idempotencyKey: key('replayed') });
    expect({ status: replayed.status, code: ErrorBody.safeParse(replayed.body).data?.error.code }).toEqual({
      status: 409,
      code: 'RESERVATION_ALREADY_PAID',
    });
    const listed = PaymentList.parse((await request(service.app).get('/payments').set(auth)).body);
    expect(listed.items.map((payment) => payment.id)).toEqual([first.id]);
  });

  it('answers a retry of the same grant and key with the first payment, even after the hold expired', async () => {
    const expiresAt = new Date(Date.now() + 2_500);
    const grant = await service.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50', expiresAt });
    const idempotencyKey = key('retry');
    const first = Payment.parse((await post(service, { grant, idempotencyKey })).body);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now() + 50)));

    const retry = await post(service, { grant, idempotencyKey });

    expect(retry.status).toBe(200);
    expect(Payment.parse(retry.body)).toEqual({ ...first, replayed: true });
  });

  it('refuses a grant whose amount was changed after signing: 403, nothing paid', async () => {
    const grant = await service.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' });

    expect(refusal(await post(service, { grant: tampered(grant, { amount: '500.00' }), idempotencyKey: key('amount') }))).toMatch(
      /signature/,
    );
    await expectNothingPaid();
  });

  it('refuses a grant whose service (so payee) was changed after signing: 403, nothing paid', async () => {
    const grant = await service.grants.issue({ serviceId: 'PRICE_ORACLE', amount: '0.05' });

    const response = await post(service, { grant: tampered(grant, { serviceId: 'IMAGE_GEN' }), idempotencyKey: key('service') });

    expect(refusal(response)).toMatch(/signature/);
    await expectNothingPaid();
  });

  it('refuses a grant naming a service its own services.yaml does not know: 403, nothing paid', async () => {
    const grant = await service.grants.issue({ serviceId: 'ATTACKER_SERVICE', amount: '0.50' });

    expect(refusal(await post(service, { grant, idempotencyKey: key('unknown') }))).toMatch(/does not know/);
    await expectNothingPaid();
  });

  it('refuses a grant the policy signed for another audience, or that is not EdDSA: 403, nothing paid', async () => {
    const claims = {
      decisionId: 'dec_x',
      reservationId: 'res_x',
      agentId: 'a',
      serviceId: 'IMAGE_GEN',
      variant: 'standard',
      amount: '0.50',
    };
    const otherAudience = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('nexus-policy')
      .setAudience('nexus-gateway')
      .setJti('res_x')
      .setExpirationTime('2m')
      .sign(service.grants.privateKey);
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('nexus-policy')
      .setAudience('nexus-payment')
      .setJti('res_x')
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode('a shared secret anyone could guess'));

    expect(refusal(await post(service, { grant: otherAudience, idempotencyKey: key('aud') }))).toMatch(/aud/);
    expect(refusal(await post(service, { grant: hmac, idempotencyKey: key('hmac') }))).toMatch(/EdDSA/);
    await expectNothingPaid();
  });

  it('refuses a request that names its own payee or amount, whatever its grant (400), and pays nothing', async () => {
    const grant = await service.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' });

    const response = await post(service, { grant, idempotencyKey: key('payee'), payee: PRICE_ORACLE_PAYEE, amount: '0.01' });

    expect(response.status).toBe(400);
    await expectNothingPaid();
  });
});

describe('the payee comes from the payment service’s own copy of services.yaml', () => {
  it('pays the payee its own configuration names, not the one the providers’ configuration might', async () => {
    const service = await createPaymentUnderTest({ services: [{ id: 'IMAGE_GEN', payee: PRICE_ORACLE_PAYEE.toLowerCase() }] });
    try {
      const grant = await service.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' });
      const paid = Payment.parse((await post(service, { grant, idempotencyKey: 'own-config' })).body);
      expect(paid).toMatchObject({ serviceId: 'IMAGE_GEN', payee: PRICE_ORACLE_PAYEE });
      expect(paid.payee).not.toBe(IMAGE_GEN_PAYEE);
    } finally {
      await service.close();
    }
  });
});
