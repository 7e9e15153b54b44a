import request from 'supertest';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { createSilentLogger } from '@nexus/service-kit';
import { revertOf } from '@nexus/chain/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { X402Eip3009Payload } from '@nexus/types';
import { PendingDriver } from '../pending/pending-driver';
import { auth } from '../testing/payment-harness';
import { mnee, startX402OutWorld, type X402OutWorld } from '../testing/x402-out-fixture';
import { resolveX402Out } from './x402-out-resolver';

jest.setTimeout(60_000);

/** The reports the payment service told for one payment, by action. */
const reportsOf = (world: X402OutWorld, paymentId: string) =>
  world.reports.filter((report) => report.paymentId === paymentId).map((report) => report.action);

describe.each(['sqlite', 'postgres'] as const)(
  'POST /x402/payments/:id/outcome: the chain settles an x402 payment, never the service; its ledger on %s',
  (dialect) => {
    let world: X402OutWorld;
    let postgres: TemporaryPostgres | undefined;
    /** a transfer of the treasury to the payee of the same amount, but no authorization's */
    let unrelatedTransfer: string;

    const signed = async (accepted: Parameters<X402OutWorld['body']>[0] = {}) => {
      const response = await world.pay(await world.body(accepted));
      expect(response.status).toBe(201);
      return response.body as { payment: { id: string; reservationId: string }; paymentSignature: string };
    };

    beforeAll(async () => {
      postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_payment_x402_out') : undefined;
      world = await startX402OutWorld(postgres ? { databaseUrl: postgres.url } : {});
      // sent before the payment service's own sender signs anything from the treasury
      const sent = await world.token().connect(world.chain.treasury).transfer(world.payTo, mnee('0.01'));
      unrelatedTransfer = (await sent.wait())?.hash ?? '';
    }, 60_000);
    afterAll(async () => {
      await world?.close();
      await postgres?.drop();
    });

    it('settled by the service (a third party submitted it): SUCCESS with its transaction, the hold committed', async () => {
      const { payment, paymentSignature } = await signed();
      const transaction = await world.submit(paymentSignature);

      const response = await world.report(payment.id, {
        served: true,
        settlement: { success: true, transaction, network: 'eip155:31337' },
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: payment.id, status: 'SUCCESS', txHash: transaction, served: true });
      expect(response.body.blockNumber).toEqual(expect.any(Number));
      expect(reportsOf(world, payment.id)).toEqual(['pin', 'commit']);

      // the router never carried it: nothing of it to refund there
      const refund = await request(world.payment.app).post(`/payments/${payment.id}/refund`).set(auth).send({ reason: 'not served' });
      expect(refund.status).toBe(409);
      expect(refund.body.error.code).toBe('PAYMENT_NOT_REFUNDABLE');
    });

    it('settled but reported without its settlement: found by the authorization on chain, SUCCESS', async () => {
      const { payment, paymentSignature } = await signed();
      const transaction = await world.submit(paymentSignature);

      const response = await world.report(payment.id, { served: true });

      expect(response.body).toMatchObject({ status: 'SUCCESS', txHash: transaction, served: true });
      expect(reportsOf(world, payment.id)).toEqual(['pin', 'commit']);
    });

    it('not served and unused: the treasury cancels it (FAILED, hold released, not committed) and it can never land', async () => {
      const { payment, paymentSignature } = await signed();
      const payToBefore = await world.token().balanceOf(world.payTo);

      const response = await world.report(payment.id, { served: false });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        status: 'FAILED',
        served: false,
        failure: { code: 'X402_AUTHORIZATION_CANCELED' },
      });
      expect(reportsOf(world, payment.id)).toEqual(['pin', 'release']);
      expect(await revertOf(world.submit(paymentSignature))).toBeDefined();
      expect(await world.token().balanceOf(world.payTo)).toBe(payToBefore);

      // a second report does nothing more
      const again = await world.report(payment.id, { served: true });
      expect(again.body).toMatchObject({ status: 'FAILED', served: false });
      expect(reportsOf(world, payment.id)).toEqual(['pin', 'release']);
    });

    it('not served, but used already: SUCCESS all the same, kept as served=false (a payment without service)', async () => {
      const { payment, paymentSignature } = await signed();
      const transaction = await world.submit(paymentSignature);

      const response = await world.report(payment.id, { served: false });

      expect(response.body).toMatchObject({ status: 'SUCCESS', txHash: transaction, served: false });
      expect(reportsOf(world, payment.id)).toEqual(['pin', 'commit']);
    });

    it('a forged settlement (an unrelated transfer) is not a payment: served and unused stays PENDING, its hold pinned', async () => {
      const { payment } = await signed();

      const response = await world.report(payment.id, {
        served: true,
        settlement: { success: true, transaction: unrelatedTransfer, network: 'eip155:31337' },
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'PENDING', txHash: null, served: true });
      expect(reportsOf(world, payment.id)).toEqual(['pin']);
    });

    it('chain unreachable: 503 CHAIN_UNAVAILABLE, the payment stays PENDING; reported again once it is back, it ends', async () => {
      const { payment } = await signed();

      await world.proxy.down();
      const down = await world.report(payment.id, { served: false });
      await world.proxy.up();

      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('CHAIN_UNAVAILABLE');
      expect(await world.payment.store.get(payment.id)).toMatchObject({ status: 'PENDING', served: false });
      expect(reportsOf(world, payment.id)).toEqual(['pin']);

      const back = await world.report(payment.id, { served: false });
      expect(back.body).toMatchObject({ status: 'FAILED', failure: { code: 'X402_AUTHORIZATION_CANCELED' } });
      expect(reportsOf(world, payment.id)).toEqual(['pin', 'release']);
    });

    it('a cancel that comes too late (the service used the authorization meanwhile) tells the use, never a cancel', async () => {
      const { paymentSignature } = await signed();
      const transaction = await world.submit(paymentSignature);
      const { authorization } = X402Eip3009Payload.parse(decodePaymentSignatureHeader(paymentSignature).payload);

      const use = await world.payment.x402Payments?.authorizations.cancel(authorization.nonce, world.domain);

      expect(use).toMatchObject({ kind: 'used', txHash: transaction });
    });

    it('answers 404 for a payment that is not an x402 one', async () => {
      expect((await world.report('pay_00000000000000000000000000000000', { served: true })).status).toBe(404);
    });

    describe('the pending driver resolves x402 payments by the chain', () => {
      const driver = () =>
        new PendingDriver({
          store: world.payment.store,
          settler: world.payment.settler,
          resolvers: {
            'x402-out': (payment) => {
              const x402 = world.payment.x402Payments;
              if (!x402) throw new Error('chain mode has x402 payments');
              return resolveX402Out(x402.authorizations, payment);
            },
          },
          reports: world.fakeReports,
          audit: { record: async () => ({ added: 1 }) },
          logger: createSilentLogger('payment'),
          leaseMs: world.payment.leaseMs,
          idleMs: 0,
        });

      it('used by the service: SUCCESS, the hold committed', async () => {
        const { payment, paymentSignature } = await signed();
        const transaction = await world.submit(paymentSignature);

        await driver().pass();

        expect(await world.payment.store.get(payment.id)).toMatchObject({ status: 'SUCCESS', txHash: transaction });
        expect(reportsOf(world, payment.id)).toEqual(['pin', 'commit']);
      });

      it('unused and still valid: stays PENDING, pinned again', async () => {
        const { payment } = await signed();

        await driver().pass();

        expect(await world.payment.store.get(payment.id)).toMatchObject({ status: 'PENDING' });
        expect(reportsOf(world, payment.id)).toEqual(['pin', 'pin']);
      });

      it('unused past its validBefore by the chain’s clock: FAILED X402_AUTHORIZATION_EXPIRED, the hold released', async () => {
        const { payment, paymentSignature } = await signed({ accepted: { maxTimeoutSeconds: 12 } });
        const { authorization } = X402Eip3009Payload.parse(decodePaymentSignatureHeader(paymentSignature).payload);
        await world.chain.provider.send('evm_increaseTime', [30]);
        await world.chain.provider.send('evm_mine', []);
        const block = await world.chain.provider.getBlock('latest');
        expect(BigInt(block?.timestamp ?? 0)).toBeGreaterThanOrEqual(BigInt(authorization.validBefore));

        await driver().pass();

        expect(await world.payment.store.get(payment.id)).toMatchObject({
          status: 'FAILED',
          failure: { code: 'X402_AUTHORIZATION_EXPIRED' },
        });
        expect(reportsOf(world, payment.id)).toEqual(['pin', 'release']);
      });
    });
  },
);
