import { generateKeyPairSync } from 'node:crypto';
import { RECEIPT_TTL_SECONDS } from '@nexus/types';
import { TestGrantIssuer } from '../grants/testing/test-grant-issuer';
import { signReceipt, verifyReceipt } from './receipt-token';

const terms = {
  paymentId: `pay_${'a'.repeat(32)}`,
  serviceId: 'PRICE_ORACLE',
  payee: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  amount: '0.05',
};

describe('payment receipts', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const now = new Date('2026-12-04T12:00:00Z');

  it('carries what was paid, signed by the payment service, for its payment', async () => {
    const check = await verifyReceipt(await signReceipt(terms, privateKey, now), publicKey, now);
    expect(check).toEqual({ valid: true, claims: expect.objectContaining({ ...terms, jti: terms.paymentId, iss: 'nexus-payment' }) });
  });

  it('refuses a receipt signed with another key', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const check = await verifyReceipt(await signReceipt(terms, other, now), publicKey, now);
    expect(check).toEqual({ valid: false, reason: 'its signature is not the payment service’s' });
  });

  it('refuses a receipt past its time', async () => {
    const later = new Date(now.getTime() + (RECEIPT_TTL_SECONDS + 1) * 1000);
    const check = await verifyReceipt(await signReceipt(terms, privateKey, now), publicKey, later);
    expect(check).toMatchObject({ valid: false, reason: 'it has expired' });
  });

  it('refuses a grant of the policy passed off as a receipt, even under the same key', async () => {
    const grants = new TestGrantIssuer();
    const grant = await grants.issue({ serviceId: 'PRICE_ORACLE', amount: '0.05' });
    const check = await verifyReceipt(grant, grants.publicKey, now);
    expect(check).toMatchObject({ valid: false, reason: expect.stringMatching(/iss|aud/) });
  });

  it('refuses garbage without throwing', async () => {
    expect(await verifyReceipt('not.a.jws', publicKey, now)).toMatchObject({ valid: false });
  });
});
