import { TestReceiptKeys } from '@nexus/clients/testing';
import { toBaseUnits } from '@nexus/types';
import type { PaymentVerifier, VerifyOutcome } from './payment-verifier';
import { ReceiptVerifier } from './receipt-verifier';

const paymentId = `pay_${'b'.repeat(32)}`;
const payee = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const terms = { paymentId, serviceId: 'BATCH_COMPUTE', payee, amount: '1.50' };
const expected = { payee, serviceId: 'BATCH_COMPUTE', minAmount: toBaseUnits('1.50') };

/** The ledger's side, counting how often it is asked. */
class CountingLedger implements PaymentVerifier {
  readonly mode = 'mock' as const;
  asked = 0;
  async verify(): Promise<VerifyOutcome> {
    this.asked += 1;
    return { valid: false, reason: 'UNKNOWN_PAYMENT', message: 'no such payment in the ledger' };
  }
  ping(): Promise<void> {
    return Promise.resolve();
  }
}

describe('the receipt verifier (mock mode)', () => {
  const keys = new TestReceiptKeys();
  let ledger: CountingLedger;
  let verifier: ReceiptVerifier;
  beforeEach(() => {
    ledger = new CountingLedger();
    verifier = new ReceiptVerifier(keys.publicKey, ledger);
  });

  it("accepts the payment service's receipt for this payment on its own, without asking the ledger", async () => {
    const outcome = await verifier.verify({ paymentId, receipt: await keys.sign(terms) }, expected);
    expect(outcome).toEqual({ valid: true, amount: toBaseUnits('1.50'), txHash: null, paymentRef: null });
    expect(ledger.asked).toBe(0);
  });

  it('asks the ledger when the proof has no receipt', async () => {
    expect(await verifier.verify({ paymentId }, expected)).toMatchObject({ valid: false, reason: 'UNKNOWN_PAYMENT' });
    expect(ledger.asked).toBe(1);
  });

  it.each([
    ['a forged receipt', async () => ({ paymentId, receipt: await keys.sign(terms, new TestReceiptKeys().privateKey) }), 'RECEIPT_INVALID'],
    ["another payment's receipt", async () => ({ paymentId: `pay_${'c'.repeat(32)}`, receipt: await keys.sign(terms) }), 'RECEIPT_INVALID'],
    [
      'a receipt to another payee',
      async () => ({ paymentId, receipt: await keys.sign({ ...terms, payee: `0x${'1'.repeat(40)}` }) }),
      'WRONG_PAYEE',
    ],
    [
      'a receipt for another service',
      async () => ({ paymentId, receipt: await keys.sign({ ...terms, serviceId: 'IMAGE_GEN' }) }),
      'WRONG_SERVICE',
    ],
    ['a receipt below the price', async () => ({ paymentId, receipt: await keys.sign({ ...terms, amount: '1.49' }) }), 'AMOUNT_TOO_LOW'],
    [
      'an expired receipt',
      async () => ({ paymentId, receipt: await keys.sign(terms, keys.privateKey, new Date(Date.now() - 3_600_000)) }),
      'RECEIPT_INVALID',
    ],
  ])('refuses %s, and does not fall back to the ledger', async (_what, proof, reason) => {
    expect(await verifier.verify(await proof(), expected)).toMatchObject({ valid: false, reason });
    expect(ledger.asked).toBe(0);
  });
});
