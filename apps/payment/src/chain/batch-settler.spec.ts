import {
  MNEEPaymentRouter__factory,
  MNEEToken__factory,
  connectRpc,
  routerEventTopics,
  serviceIdToBytes32,
  toTokenUnits,
} from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { createSilentLogger } from '@nexus/service-kit';
import type { PaymentRecord } from '@nexus/stores';
import { toBaseUnits } from '@nexus/types';
import { LeaseLostError, type SettleResult, type SettlementHooks } from '../settler';
import { chainSettlerOn, expectedPaymentOf, pendingPayment } from '../testing/chain-settler-fixture';
import { startRpcProxy } from '../testing/rpc-proxy';
import { BatchingSettler } from './batch-settler';
import type { ChainSettler } from './chain-settler';

/** What a ledger row holds after `onSubmitted`: the last hash, nonce and raw transaction recorded for it. */
interface Submission {
  txHash: string;
  nonce: number;
  raw: string;
  /** the node already knew the transaction when it was recorded (it must not: recorded before broadcast) */
  knownBeforeBroadcast: boolean;
}

describe('batched settlement on a real Hardhat node', () => {
  let chain: TestChain;
  let single: ChainSettler;

  const balanceOf = (address: string) => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider).balanceOf(address);
  const tokens = (amount: string) => toTokenUnits(toBaseUnits(amount), chain.deployment.token.decimals);
  const eventsOfRef = (ref: string) =>
    chain.provider.getLogs({ address: chain.deployment.router, topics: [routerEventTopics.paymentMade, ref], fromBlock: 0 });
  const batching = (chainSettler: ChainSettler = single) =>
    new BatchingSettler({
      chain: chainSettler,
      provider: chain.provider,
      router: chain.deployment.router,
      treasury: chain.treasury.address,
      windowMs: 100,
      maxPayments: 100,
      logger: createSilentLogger('payment'),
    });
  /** Hooks that record each submission, as the ledger does. */
  const recorder = () => {
    const submissions = new Map<string, Submission>();
    const hooksOf = (payment: PaymentRecord): SettlementHooks => ({
      onSubmitted: async (txHash, signed) => {
        const knownBeforeBroadcast = (await chain.provider.getTransaction(txHash)) !== null;
        submissions.set(payment.id, { txHash, ...signed, knownBeforeBroadcast });
      },
    });
    return { submissions, hooksOf };
  };
  const settleAll = (settler: BatchingSettler, payments: PaymentRecord[], hooksOf: (payment: PaymentRecord) => SettlementHooks) =>
    Promise.all(payments.map((payment) => settler.settle(payment, hooksOf(payment))));
  const txHashOf = (result: SettleResult | undefined) =>
    result?.kind === 'settled' ? result.txHash : `not settled: ${JSON.stringify(result)}`;

  beforeAll(async () => {
    chain = await startTestChain();
    single = chainSettlerOn(chain);
  }, 60_000);
  afterAll(() => chain?.stop());

  it('settles concurrent payments in one transaction, each recorded with its hash before the broadcast', async () => {
    const payees = chain.payees.map((payee) => payee.address);
    const payments = payees.map((payee, index) => pendingPayment(chain, { payee, amount: toBaseUnits(`0.0${index + 1}`) }));
    const before = await Promise.all([chain.treasury.address, ...payees].map(balanceOf));
    const { submissions, hooksOf } = recorder();

    const results = await settleAll(batching(), payments, hooksOf);

    expect(results.map((result) => result.kind)).toEqual(payments.map(() => 'settled'));
    const hashes = new Set(results.map(txHashOf));
    expect(hashes.size).toBe(1);
    const [txHash] = [...hashes];
    expect(payments.map((payment) => submissions.get(payment.id))).toEqual(
      payments.map(() => expect.objectContaining({ txHash, knownBeforeBroadcast: false })),
    );
    const after = await Promise.all([chain.treasury.address, ...payees].map(balanceOf));
    expect(before[0]! - after[0]!).toBe(tokens('0.10'));
    payees.forEach((_, index) => expect(after[index + 1]! - before[index + 1]!).toBe(tokens(`0.0${index + 1}`)));
    for (const payment of payments) expect((await eventsOfRef(payment.paymentRef!)).map((log) => log.transactionHash)).toEqual([txHash]);
  });

  it('pays the others of a batch and never twice a reference the treasury already paid on chain', async () => {
    const payments = [pendingPayment(chain), pendingPayment(chain), pendingPayment(chain)];
    const paidBefore = payments[1]!;
    const expected = expectedPaymentOf(chain, paidBefore);
    const router = MNEEPaymentRouter__factory.connect(chain.deployment.router, chain.treasury);
    const direct = await (
      await router.pay(expected.payee, expected.amount, serviceIdToBytes32(expected.serviceId), expected.paymentRef)
    ).wait();
    const balance = await balanceOf(chain.treasury.address);
    const { hooksOf } = recorder();

    const [first, again, last] = await settleAll(batching(), payments, hooksOf);

    expect(txHashOf(again)).toBe(direct!.hash);
    expect(txHashOf(first)).toBe(txHashOf(last));
    expect(txHashOf(first)).not.toBe(direct!.hash);
    expect(await balanceOf(chain.treasury.address)).toBe(balance - tokens('1.00'));
    expect(await eventsOfRef(paidBefore.paymentRef!)).toHaveLength(1);
  });

  it('splits a batch the chain reverted: the good payments land, the bad one FAILS with the reason', async () => {
    const settler = batching();
    const { submissions, hooksOf } = recorder();
    // A first batch of four keeps a gas limit for four: the next one is sent without an estimate, and reverts on chain.
    await settleAll(
      settler,
      [1, 2, 3, 4].map(() => pendingPayment(chain, { amount: toBaseUnits('0.01') })),
      hooksOf,
    );
    const good = [1, 2, 3].map(() => pendingPayment(chain, { amount: toBaseUnits('0.02') }));
    const bad = pendingPayment(chain, { amount: toBaseUnits('5000.00') });
    const balance = await balanceOf(chain.treasury.address);

    const results = await settleAll(settler, [good[0]!, good[1]!, bad, good[2]!], hooksOf);

    expect(results.map((result) => result.kind)).toEqual(['settled', 'settled', 'failed', 'settled']);
    expect(results[2]).toMatchObject({ code: 'PAYMENT_REVERTED', message: expect.stringContaining('ERC20InsufficientBalance') });
    expect(txHashOf(results[0])).toBe(txHashOf(results[1]));
    expect(await balanceOf(chain.treasury.address)).toBe(balance - tokens('0.06'));
    for (const payment of good) expect(await eventsOfRef(payment.paymentRef!)).toHaveLength(1);
    expect(await eventsOfRef(bad.paymentRef!)).toHaveLength(0);
    // The bad payment was recorded with the reverted batch before it was known to fail.
    const reverted = await chain.provider.getTransactionReceipt(submissions.get(bad.id)!.txHash);
    expect(reverted?.status).toBe(0);
  });

  it('estimates gas once per batch size', async () => {
    const settler = batching();
    const estimates = jest.spyOn(chain.provider, 'estimateGas');
    const { hooksOf } = recorder();
    const batchOf = (count: number) =>
      settleAll(
        settler,
        Array.from({ length: count }, () => pendingPayment(chain)),
        hooksOf,
      );

    const threes = [await batchOf(3), await batchOf(3)];
    expect(estimates).toHaveBeenCalledTimes(1);
    const two = await batchOf(2);
    expect(estimates).toHaveBeenCalledTimes(2);

    expect([...threes.flat(), ...two].map((result) => result.kind)).toEqual(Array<string>(8).fill('settled'));
    expect(settler.gasLimits.size).toBe(2);
    estimates.mockRestore();
  });

  it('leaves out a payment whose lease was lost: the others are paid, it is not', async () => {
    const payments = [pendingPayment(chain), pendingPayment(chain), pendingPayment(chain)];
    const lost = payments[0]!;
    const { hooksOf } = recorder();
    const hooks = (payment: PaymentRecord): SettlementHooks =>
      payment === lost
        ? {
            onSubmitted: async () => {
              throw new LeaseLostError(payment.id);
            },
          }
        : hooksOf(payment);

    const settler = batching();
    const results = await Promise.allSettled(payments.map((payment) => settler.settle(payment, hooks(payment))));

    expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(LeaseLostError) });
    expect(results.slice(1).map((outcome) => outcome.status === 'fulfilled' && outcome.value.kind)).toEqual(['settled', 'settled']);
    expect(await eventsOfRef(lost.paymentRef!)).toHaveLength(0);
  });

  it('leaves each member PENDING with the batch when the node never got it, and resolve() sends it again and settles them all', async () => {
    const proxy = await startRpcProxy(chain.node.url);
    const proxied = chainSettlerOn(chain, connectRpc(proxy.url, chain.deployment.chainId));
    try {
      const payments = [pendingPayment(chain), pendingPayment(chain), pendingPayment(chain)];
      const { submissions, hooksOf } = recorder();
      const balance = await balanceOf(chain.treasury.address);
      proxy.swallowNextSend();

      const results = await settleAll(batching(proxied), payments, hooksOf);

      expect(results).toEqual(payments.map(() => expect.objectContaining({ kind: 'unavailable', mayHaveBeenSent: true })));
      expect(await balanceOf(chain.treasury.address)).toBe(balance);
      await proxy.up();
      // As the ledger holds them after the crash: PENDING with the batch's hash, nonce and raw transaction.
      const recorded = payments.map((payment) => {
        const submission = submissions.get(payment.id)!;
        return { ...payment, txHash: submission.txHash, txNonce: submission.nonce, rawTx: submission.raw };
      });
      expect(new Set(recorded.map((payment) => payment.txHash)).size).toBe(1);

      expect(await proxied.resolve(recorded[0]!)).toMatchObject({ kind: 'pending', message: expect.stringContaining('sent again') });
      const resolved = await Promise.all(recorded.map((payment) => proxied.resolve(payment)));

      expect(resolved).toEqual(recorded.map((payment) => expect.objectContaining({ kind: 'settled', txHash: payment.txHash })));
      expect(await balanceOf(chain.treasury.address)).toBe(balance - tokens('1.50'));
    } finally {
      proxied.close();
      await proxy.down();
    }
  });
});
