import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../database';
import { statementWork } from '../testing/statement-probes';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import { InvalidCursorError, type NewPayment, type NewX402OutPayment, type NewX402Payment, type PaymentStore } from './payment-store';
import type { PaymentTables } from './payment-tables';
import { createPaymentStore } from './sql-payment-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const paymentId = () => `pay_${randomBytes(16).toString('hex')}`;

let sequence = 0;
function newPayment(overrides: Partial<NewPayment> = {}): NewPayment {
  sequence += 1;
  return {
    id: paymentId(),
    idempotencyKey: `key-${sequence}`,
    agentId: 'user-agent',
    serviceId: 'IMAGE_GEN',
    payee: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    amount: 500_000n,
    decisionId: `dec_${sequence}`,
    reservationId: `res_${sequence}`,
    mode: 'chain',
    paymentRef: `0x${randomBytes(32).toString('hex')}`,
    ...overrides,
  };
}

describe.each(['sqlite', 'postgres'] as const)('payments ledger on %s', (dialect) => {
  let store: PaymentStore;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_payment') : undefined;
    const database = openDatabase<PaymentTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-payments-')), 'payment.sqlite') },
    );
    store = await createPaymentStore(database);
  });
  afterEach(async () => {
    await store.close();
    await postgres?.drop();
  });

  it('records a payment once per idempotency key and hands back the first on a retry', async () => {
    const first = await store.open(newPayment({ idempotencyKey: 'same' }), T0);
    const retry = await store.open(newPayment({ idempotencyKey: 'same', amount: 1n }), at(5));

    expect(first).toMatchObject({ created: true, payment: { status: 'PENDING', amount: 500_000n, attempts: 0 } });
    expect(retry).toEqual({ created: false, payment: first.payment });
  });

  it('creates exactly one payment when 30 opens of one key race', async () => {
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => store.open(newPayment({ idempotencyKey: 'raced' }), T0)));
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    expect(new Set(outcomes.map((outcome) => outcome.payment.id)).size).toBe(1);
  });

  it('opens one payment per reservation: another idempotency key for a paid reservation gets the first payment back', async () => {
    const first = await store.open(newPayment({ reservationId: 'res_once' }), T0);
    const second = await store.open(newPayment({ reservationId: 'res_once', idempotencyKey: 'another-key' }), at(5));

    expect(second).toEqual({ created: false, payment: first.payment });
    expect((await store.list({ limit: 10 })).items).toHaveLength(1);
    expect(await store.findByIdempotencyKey('another-key')).toBeUndefined();
  });

  it('creates exactly one payment when 20 opens of one reservation race under different keys', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.open(newPayment({ reservationId: 'res_raced', idempotencyKey: `raced-${index}` }), T0),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    expect(new Set(outcomes.map((outcome) => outcome.payment.id)).size).toBe(1);
  });

  it('builds and compiles no statement of a paid call per call: each was compiled once, and stays prepared', async () => {
    /** What paid calls ask of the ledger: open (and a retry's lookups), lease, submit (chain), settle or fail, read back. */
    const paidCalls = async () => {
      const mock = await store.open(newPayment({ mode: 'mock', paymentRef: null }), T0);
      await store.lease(mock.payment.id, 'replica-a', T0, at(1_000));
      await store.markSettled(mock.payment.id, { status: 'MOCK', txHash: null, blockNumber: null, gasUsed: null }, at(1));
      await store.open(newPayment({ idempotencyKey: mock.payment.idempotencyKey }), at(2));
      await store.open(newPayment({ reservationId: mock.payment.reservationId }), at(2));
      const chain = await store.open(newPayment(), T0);
      await store.lease(chain.payment.id, 'replica-a', T0, at(1_000));
      await store.recordSubmission(chain.payment.id, 'replica-a', { txHash: '0xAB', nonce: 1, raw: '0x01' }, at(1));
      await store.markSettled(chain.payment.id, { status: 'SUCCESS', txHash: '0xAB', blockNumber: 7, gasUsed: 60_000n }, at(2));
      const failed = await store.open(newPayment(), T0);
      await store.lease(failed.payment.id, 'replica-a', T0, at(1_000));
      await store.markFailed(failed.payment.id, { code: 'REVERTED', message: 'no' }, at(1));
      await store.findByIdempotencyKey(failed.payment.idempotencyKey);
    };
    await paidCalls();
    const work = await statementWork(paidCalls);
    expect(work.compiled).toBe(0);
    if (dialect === 'postgres') {
      expect(work.sent.length).toBeGreaterThan(0);
      expect(work.sent.every((query) => query.named)).toBe(true); // parsed and planned once per connection
    } else {
      expect(work.prepared).toBe(0);
    }
  });

  it('lets one settler lease a pending payment until the lease runs out', async () => {
    const { payment } = await store.open(newPayment(), T0);

    const leased = await store.lease(payment.id, 'replica-a', T0, at(1_000));
    expect(leased).toMatchObject({ id: payment.id, attempts: 1 });
    expect(await store.lease(payment.id, 'replica-b', at(500), at(1_500))).toBeUndefined();
    expect(await store.lease(payment.id, 'replica-b', at(1_001), at(2_000))).toMatchObject({ attempts: 2 });

    await store.releaseLease(payment.id, 'replica-b', at(1_100));
    expect(await store.lease(payment.id, 'replica-a', at(1_200), at(2_200))).toMatchObject({ attempts: 3 });
    await store.markSettled(payment.id, { status: 'SUCCESS', txHash: '0xAB', blockNumber: 7, gasUsed: 60_000n }, at(1_300));
    expect(await store.lease(payment.id, 'replica-a', at(9_000), at(10_000))).toBeUndefined();
  });

  it('settles a pending payment once; a late failure does not overwrite the success', async () => {
    const { payment } = await store.open(newPayment(), T0);
    await store.lease(payment.id, 'replica-a', T0, at(1_000));
    await store.recordSubmission(payment.id, 'replica-a', { txHash: '0xDEAD', nonce: 3, raw: '0x02' }, at(1));

    const settled = await store.markSettled(payment.id, { status: 'SUCCESS', txHash: '0xBEEF', blockNumber: 12, gasUsed: 61_234n }, at(2));
    const late = await store.markFailed(payment.id, { code: 'CHAIN_UNAVAILABLE', message: 'late' }, at(3));

    expect(settled).toMatchObject({
      status: 'SUCCESS',
      txHash: '0xbeef',
      blockNumber: 12,
      gasUsed: 61_234n,
      failure: null,
      settledAt: at(2),
    });
    expect(late).toEqual(settled);
    expect(await store.findByTxHash('0xBEEF')).toEqual([settled]);
  });

  it('records a signed transaction only for the lease owner, keeping the highest nonce and the last raw transaction', async () => {
    const { payment } = await store.open(newPayment(), T0);
    expect(await store.recordSubmission(payment.id, 'replica-a', { txHash: '0xAA', nonce: 4, raw: '0x01' }, at(1))).toBe(false);

    await store.lease(payment.id, 'replica-a', T0, at(1_000));
    expect(await store.recordSubmission(payment.id, 'replica-a', { txHash: '0xAA', nonce: 4, raw: '0x01' }, at(1))).toBe(true);
    expect(await store.recordSubmission(payment.id, 'replica-a', { txHash: '0xBB', nonce: 2, raw: '0x02' }, at(2))).toBe(true);
    expect(await store.get(payment.id)).toMatchObject({ txHash: '0xbb', txNonce: 4, rawTx: '0x02' });

    // Another replica took over after the lease ran out: the first may no longer broadcast.
    await store.lease(payment.id, 'replica-b', at(1_001), at(2_000));
    expect(await store.recordSubmission(payment.id, 'replica-a', { txHash: '0xCC', nonce: 9, raw: '0x03' }, at(1_002))).toBe(false);
    expect(await store.get(payment.id)).toMatchObject({ txHash: '0xbb', txNonce: 4 });
  });

  it('lists pending payments nobody is settling: lease run out, or idle and unleased', async () => {
    const { payment: leased } = await store.open(newPayment(), T0);
    await store.lease(leased.id, 'replica-a', T0, at(1_000));
    const { payment: idle } = await store.open(newPayment(), T0);
    const { payment: fresh } = await store.open(newPayment(), at(900));
    const { payment: done } = await store.open(newPayment(), T0);
    await store.markFailed(done.id, { code: 'X', message: 'x' }, at(1));

    expect((await store.listUnattended(at(500), at(100), 10)).map((p) => p.id)).toEqual([idle.id]);
    expect((await store.listUnattended(at(1_001), at(100), 10)).map((p) => p.id).sort()).toEqual([leased.id, idle.id].sort());
    expect((await store.listUnattended(at(2_000), at(1_000), 10)).map((p) => p.id)).toContain(fresh.id);
  });

  it('records a failure with its code and message', async () => {
    const { payment } = await store.open(newPayment(), T0);
    const failed = await store.markFailed(payment.id, { code: 'PAYMENT_REVERTED', message: 'ERC20InsufficientBalance' }, at(1));
    expect(failed).toMatchObject({ status: 'FAILED', failure: { code: 'PAYMENT_REVERTED', message: 'ERC20InsufficientBalance' } });
  });

  it('refunds a settled payment once, and never a failed or unknown one', async () => {
    const { payment } = await store.open(newPayment({ mode: 'mock', paymentRef: null }), T0);
    await store.markSettled(payment.id, { status: 'MOCK', txHash: null, blockNumber: null, gasUsed: null }, at(1));
    const { payment: failed } = await store.open(newPayment(), T0);
    await store.markFailed(failed.id, { code: 'X', message: 'x' }, at(1));

    expect(await store.markRefunded(payment.id, { txHash: null, reason: 'provider failed' }, at(2))).toMatchObject({
      outcome: 'refunded',
      payment: { status: 'REFUNDED', refund: { txHash: null, reason: 'provider failed', at: at(2) } },
    });
    expect(await store.markRefunded(payment.id, { txHash: null, reason: 'again' }, at(3))).toMatchObject({
      outcome: 'already-refunded',
      payment: { refund: { reason: 'provider failed' } },
    });
    expect(await store.markRefunded(failed.id, { txHash: null, reason: 'x' }, at(3))).toMatchObject({
      outcome: 'not-refundable',
      payment: { status: 'FAILED' },
    });
    expect(await store.markRefunded(paymentId(), { txHash: null, reason: 'x' }, at(3))).toEqual({ outcome: 'not-found' });
  });

  it('lists newest first with filters and a cursor that walks every page exactly once', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      const { payment } = await store.open(
        newPayment({ agentId: index % 2 === 0 ? 'user-agent' : 'batch-agent', serviceId: index < 4 ? 'IMAGE_GEN' : 'PRICE_ORACLE' }),
        at(index === 3 ? 2 : index),
      );
      ids.push(payment.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(ids));
    const times = (await store.list({ limit: 10 })).items.map((item) => item.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const filtered = await store.list({ limit: 10, agentId: 'user-agent', serviceId: 'IMAGE_GEN' });
    expect(filtered.items.map((item) => [item.agentId, item.serviceId])).toEqual([
      ['user-agent', 'IMAGE_GEN'],
      ['user-agent', 'IMAGE_GEN'],
    ]);
    expect(filtered.nextCursor).toBeNull();
    expect((await store.list({ limit: 10, status: 'SUCCESS' })).items).toEqual([]);
    await expect(store.list({ limit: 10, cursor: 'bm9wZQ' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('totals amounts by status', async () => {
    const one = await store.open(newPayment({ amount: 50_000n }), T0);
    const two = await store.open(newPayment({ amount: 300_000n }), T0);
    await store.open(newPayment({ amount: 7n }), T0);
    await store.markSettled(one.payment.id, { status: 'SUCCESS', txHash: '0x1', blockNumber: 1, gasUsed: 1n }, at(1));
    await store.markSettled(two.payment.id, { status: 'SUCCESS', txHash: '0x2', blockNumber: 2, gasUsed: 1n }, at(1));

    const totals = await store.totals();
    expect(totals.SUCCESS).toEqual({ count: 2, amount: 350_000n });
    expect(totals.PENDING).toEqual({ count: 1, amount: 7n });
    expect(totals.REFUNDED).toEqual({ count: 0, amount: 0n });
  });

  it('totals amounts far beyond a 64-bit sum of base units without overflowing', async () => {
    const largest = 999_999_999_999_999_999n;
    for (let index = 0; index < 12; index += 1) await store.open(newPayment({ amount: largest }), T0);
    expect((await store.totals()).PENDING).toEqual({ count: 12, amount: largest * 12n });
  });

  describe('x402 payments (no agent, no decision)', () => {
    const x402Payment = (overrides: Partial<NewX402Payment> = {}): NewX402Payment => ({
      id: paymentId(),
      idempotencyKey: 'x402:31337:0xtoken:0xpayer:0x01',
      serviceId: 'PRICE_ORACLE',
      payee: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      payer: '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
      authorizationNonce: `0x${'01'.padStart(64, '0')}`,
      amount: 10_000n,
      txHash: `0x${randomBytes(32).toString('hex')}`,
      blockNumber: 12,
      gasUsed: 60_000n,
      ...overrides,
    });

    it('records a settled x402 payment once: the same authorization again finds the first row', async () => {
      const first = await store.recordX402(x402Payment(), T0);
      const again = await store.recordX402(x402Payment({ txHash: `0x${randomBytes(32).toString('hex')}` }), at(5));
      const otherKeySameNonce = await store.recordX402(x402Payment({ idempotencyKey: 'x402:other' }), at(6));

      expect(first).toMatchObject({
        created: true,
        payment: {
          status: 'SUCCESS',
          method: 'x402',
          agentId: '',
          decisionId: '',
          reservationId: null,
          paymentRef: null,
          payer: '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
          authorizationNonce: `0x${'01'.padStart(64, '0')}`,
          amount: 10_000n,
          blockNumber: 12,
          gasUsed: 60_000n,
        },
      });
      expect(again).toEqual({ created: false, payment: first.payment });
      expect(otherKeySameNonce).toEqual({ created: false, payment: first.payment });
      expect((await store.list({ limit: 10 })).items).toHaveLength(1);
      expect((await store.totals()).SUCCESS).toEqual({ count: 1, amount: 10_000n });
    });

    it('keeps a grant payment as it was: method grant, no payer; an agent filter never finds an x402 payment', async () => {
      const { payment } = await store.open(newPayment(), T0);
      await store.recordX402(x402Payment(), T0);

      expect(payment).toMatchObject({ method: 'grant', payer: null, authorizationNonce: null });
      expect((await store.list({ agentId: 'user-agent', limit: 10 })).items.map((item) => item.id)).toEqual([payment.id]);
    });
  });

  describe('x402-out payments (the treasury pays an external x402 service on a grant)', () => {
    const treasury = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
    const outPayment = (overrides: Partial<NewX402OutPayment> = {}): NewX402OutPayment => ({
      ...newPayment({ serviceId: 'WEATHER_X402', paymentRef: null }),
      payer: treasury,
      authorizationNonce: `0x${randomBytes(32).toString('hex')}`,
      x402Payload: '{"x402Version":2}',
      ...overrides,
    });

    it('opens it PENDING with its signed payload once per key and per reservation, served unknown', async () => {
      const first = await store.openX402Out(outPayment({ idempotencyKey: 'out-1', reservationId: 'res_out' }), T0);
      const sameKey = await store.openX402Out(outPayment({ idempotencyKey: 'out-1', x402Payload: '{"other":true}' }), at(5));
      const sameHold = await store.openX402Out(outPayment({ idempotencyKey: 'out-2', reservationId: 'res_out' }), at(6));

      expect(first).toMatchObject({
        created: true,
        payment: { status: 'PENDING', method: 'x402-out', payer: treasury, x402Payload: '{"x402Version":2}', served: null },
      });
      expect(sameKey).toEqual({ created: false, payment: first.payment });
      expect(sameHold).toEqual({ created: false, payment: first.payment });
      expect((await store.get(first.payment.id))?.authorizationNonce).toBe(first.payment.authorizationNonce);
    });

    it('keeps the first report of whether it was served, and only for an x402-out payment', async () => {
      const { payment } = await store.openX402Out(outPayment(), T0);
      const { payment: grant } = await store.open(newPayment(), T0);

      expect((await store.recordServed(payment.id, false, at(1)))?.served).toBe(false);
      expect((await store.recordServed(payment.id, true, at(2)))?.served).toBe(false);
      expect((await store.recordServed(grant.id, true, at(2)))?.served).toBeNull();
    });
  });
});
