import { MNEEPaymentRouter__factory, MNEEToken__factory, serviceIdToBytes32, toTokenUnits } from '@nexus/chain';
import { fundFrontRunner, payUnderRef, startTestChain, type TestChain } from '@nexus/chain/testing';
import type { PaymentRecord } from '@nexus/stores';
import { toBaseUnits } from '@nexus/types';
import type { HDNodeWallet } from 'ethers';
import { chainSettlerOn, expectedPaymentOf, pendingPayment } from '../testing/chain-settler-fixture';
import { findRefund, findSettlement } from './chain-lookups';
import type { ChainSettler } from './chain-settler';

const hooks = { onSubmitted: async () => undefined };

describe('the chain settler takes only our own payment of a reference (a real Hardhat node)', () => {
  let chain: TestChain;
  let settler: ChainSettler;
  let frontRunner: HDNodeWallet;

  const payee = () => chain.payees[0]!.address;
  const balanceOf = (address: string) => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider).balanceOf(address);
  const treasuryRouter = () => MNEEPaymentRouter__factory.connect(chain.deployment.router, chain.treasury);
  const tokens = (amount: string) => toTokenUnits(toBaseUnits(amount), chain.deployment.token.decimals);
  const pending = (overrides: Partial<PaymentRecord> = {}) => pendingPayment(chain, overrides);
  const expectedOf = (payment: PaymentRecord) => expectedPaymentOf(chain, payment);
  const senderOf = async (txHash: string) => (await chain.provider.getTransaction(txHash))?.from;

  beforeAll(async () => {
    chain = await startTestChain();
    frontRunner = await fundFrontRunner(chain);
    settler = chainSettlerOn(chain);
  }, 60_000);
  afterAll(async () => {
    await chain?.stop();
  });
  afterEach(() => jest.restoreAllMocks());

  it('settles with our own transaction when another account paid 1 unit under our reference first', async () => {
    const payment = pending();
    const theirs = await payUnderRef(chain, frontRunner, { ...expectedOf(payment), amount: 1n });
    const [treasuryBefore, payeeBefore] = await Promise.all([balanceOf(chain.treasury.address), balanceOf(payee())]);

    const result = await settler.settle(payment, hooks);

    expect(result).toMatchObject({ kind: 'settled' });
    const txHash = (result as { txHash: string }).txHash;
    expect(txHash).not.toBe(theirs);
    expect(await senderOf(txHash)).toBe(chain.treasury.address);
    expect(await balanceOf(chain.treasury.address)).toBe(treasuryBefore - tokens('0.50'));
    expect(await balanceOf(payee())).toBe(payeeBefore + tokens('0.50'));
  });

  it('does not take the front-runner’s payment for ours on a retry: it looks up only the treasury’s, then pays', async () => {
    // A retry (attempts > 1) looks the reference up first; the only event under it is somebody else's.
    const payment = pending({ attempts: 2 });
    const theirs = await payUnderRef(chain, frontRunner, { ...expectedOf(payment), amount: 1n });
    const treasuryBefore = await balanceOf(chain.treasury.address);

    const result = await settler.settle(payment, hooks);

    expect(result).toMatchObject({ kind: 'settled' });
    const txHash = (result as { txHash: string }).txHash;
    expect(txHash).not.toBe(theirs);
    expect(await senderOf(txHash)).toBe(chain.treasury.address);
    expect(await balanceOf(chain.treasury.address)).toBe(treasuryBefore - tokens('0.50'));
  });

  it('finds a settlement only when payer, payee, service and amount all fit', async () => {
    const payment = pending();
    const expected = expectedOf(payment);
    await payUnderRef(chain, frontRunner, expected);
    const receipt = await (
      await treasuryRouter().pay(expected.payee, expected.amount, serviceIdToBytes32(expected.serviceId), expected.paymentRef)
    ).wait();
    const find = (overrides: Partial<typeof expected>) =>
      findSettlement(chain.provider, chain.deployment.router, { ...expected, ...overrides }, chain.deployment.blockNumber);

    expect(await find({})).toMatchObject({ txHash: receipt!.hash });
    expect(await find({ payer: frontRunner.address })).toMatchObject({ txHash: expect.not.stringMatching(receipt!.hash) });
    expect(await find({ payer: chain.payees[2]!.address })).toBeUndefined();
    expect(await find({ payee: chain.payees[1]!.address })).toBeUndefined();
    expect(await find({ serviceId: 'PRICE_ORACLE' })).toBeUndefined();
    expect(await find({ amount: expected.amount + 1n })).toBeUndefined();
  });

  it('never records our payment as SUCCESS on an event of another amount, and keeps it PENDING when the router refuses the reference', async () => {
    // The treasury's reference holds a payment of another amount: it is not this payment, and the ref is taken.
    const payment = pending({ attempts: 2 });
    await (await treasuryRouter().pay(payee(), 1n, serviceIdToBytes32('IMAGE_GEN'), payment.paymentRef!)).wait();

    const result = await settler.settle(payment, hooks);

    expect(result).toMatchObject({ kind: 'unavailable', mayHaveBeenSent: true });
  });

  it('keeps a payment PENDING (never FAILED) when the router refuses its reference as used and the lookup fails', async () => {
    // An earlier attempt landed but the ledger has no hash for it; the router refuses a second pay, and the node
    // fails the event lookup: the money may have moved, so the outcome is not FAILED.
    const payment = pending();
    const expected = expectedOf(payment);
    await (await treasuryRouter().pay(expected.payee, expected.amount, serviceIdToBytes32(expected.serviceId), expected.paymentRef)).wait();
    jest.spyOn(chain.provider, 'getLogs').mockRejectedValue(new Error('eth_getLogs is not available'));

    const result = await settler.settle(payment, hooks);

    expect(result).toMatchObject({ kind: 'unavailable', mayHaveBeenSent: true });
    expect((result as { message: string }).message).toContain('PaymentRefAlreadyUsed');
  });

  describe('refunds', () => {
    const settled = async () => {
      const payment = pending();
      const result = await settler.settle(payment, hooks);
      if (result.kind !== 'settled') throw new Error(`not settled: ${JSON.stringify(result)}`);
      return { ...payment, status: 'SUCCESS' as const, txHash: result.txHash };
    };

    it('refunds the treasury’s payment through the router’s refund(payer, ref), once', async () => {
      const payment = await settled();
      const before = await balanceOf(chain.treasury.address);

      const refund = await settler.refund(payment, undefined);
      const again = await settler.refund(payment, undefined);

      expect(refund).toMatchObject({ kind: 'refunded', txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
      expect(again).toEqual(refund);
      expect(await balanceOf(chain.treasury.address)).toBe(before + tokens('0.50'));
      expect((await treasuryRouter().paymentOf(chain.treasury.address, payment.paymentRef!)).refunded).toBe(true);
      expect(await findRefund(chain.provider, chain.deployment.router, expectedOf(payment), chain.deployment.blockNumber)).toBe(
        (refund as { txHash: string }).txHash,
      );
    });

    it('does not take the refund of another payer’s payment under the same reference as ours', async () => {
      const payment = await settled();
      await payUnderRef(chain, frontRunner, { ...expectedOf(payment), amount: 1n });
      const theirRefund = await (
        await MNEEPaymentRouter__factory.connect(chain.deployment.router, chain.payees[0]!).refund(frontRunner.address, payment.paymentRef!)
      ).wait();

      expect(await settler.refund(payment, theirRefund!.hash)).toMatchObject({ kind: 'not-verified' });
      expect(await findRefund(chain.provider, chain.deployment.router, expectedOf(payment), chain.deployment.blockNumber)).toBeUndefined();
    });
  });
});
