import { toTokenUnits } from '@nexus/chain';
import { reconcile } from './compare';
import type { ReconcileReport } from './report';
import { DECIMALS, PAYEE, TREASURY, X402_PAYER, addX402, addX402Permit2, makeX402Out, nonceOf, parts, txOf, world } from './testing/world';

const check = (report: ReconcileReport) => report.checks.find((c) => c.id === 'x402-chain');
const found = (report: ReconcileReport) => report.discrepancies.filter((d) => d.check === 'x402-chain');
const OTHER = '0x5555555555555555555555555555555555555555';

describe('reconcile: ledger ↔ token (x402 payments against the token’s AuthorizationUsed and Transfer)', () => {
  it('agrees when each x402 payment has its AuthorizationUsed and its Transfer of exactly its amount to its payee', () => {
    const snapshots = world([{ outcome: 'served' }]);
    addX402(snapshots, 1);
    addX402(snapshots, 2, '1.5');

    const report = reconcile(snapshots);

    expect(report.exitCode).toBe(0);
    expect(check(report)).toMatchObject({
      title: 'ledger ↔ token',
      status: 'PASS',
      amounts: { ledger: { paid: '1.75' }, chain: { paid: '1.75' } },
      counts: { ledger: { x402: 2 }, chain: { authorizations: 2, foreignAuthorizations: 0, permit2Settlements: 0 } },
    });
    expect(check(report)?.summary).toBe('2 x402 payments, 2 AuthorizationUsed events to our payees: paid 1.75 on both sides');
  });

  it('names an x402 payment whose AuthorizationUsed is not on chain', () => {
    const snapshots = world([{ outcome: 'served' }]);
    const payment = addX402(snapshots, 1);
    const { chain } = parts(snapshots);
    chain.authorizations = [];
    chain.transfers = [];

    const report = reconcile(snapshots);

    expect(report.exitCode).toBe(1);
    expect(check(report)?.status).toBe('FAIL');
    expect(found(report)).toEqual([
      expect.objectContaining({
        kind: 'X402_NOT_ON_CHAIN',
        record: { type: 'payment', id: payment.id },
        sides: {
          ledger: expect.stringContaining(`x402 0.25 from ${X402_PAYER} to ${PAYEE}, nonce ${nonceOf(1)}`),
          chain: expect.stringContaining(`no AuthorizationUsed(${X402_PAYER}, ${nonceOf(1)})`),
        },
      }),
    ]);
  });

  it('names an x402 payment whose Transfer moved another amount, or went elsewhere', () => {
    const snapshots = world([]);
    const first = addX402(snapshots, 1);
    const second = addX402(snapshots, 2);
    const { chain } = parts(snapshots);
    const [wrongAmount, wrongPayee] = chain.transfers;
    if (!wrongAmount || !wrongPayee) throw new Error('two transfers expected');
    // one token unit short of 0.25 MNEE: money is never compared as a float
    wrongAmount.amount = toTokenUnits(250_000n, DECIMALS) - 1n;
    wrongPayee.to = OTHER;

    const report = reconcile(snapshots);

    expect(found(report).map((d) => [d.kind, d.record.id, d.message])).toEqual([
      ['X402_DIFFERS_ON_CHAIN', first.id, "the token's settlement differs from the ledger in amount"],
      ['X402_DIFFERS_ON_CHAIN', second.id, "the token's settlement differs from the ledger in payee"],
    ]);
    expect(found(report)[0]?.sides).toEqual({
      ledger: expect.stringContaining('x402 0.25 from'),
      chain: expect.stringContaining(`AuthorizationUsed in tx ${txOf(901)}, Transfer 0.249999 from ${X402_PAYER} to ${PAYEE}`),
    });
  });

  it('names an x402 payment whose transaction has the AuthorizationUsed but no Transfer to the payee', () => {
    const snapshots = world([]);
    addX402(snapshots, 1);
    parts(snapshots).chain.transfers = [];

    const report = reconcile(snapshots);

    expect(found(report).map((d) => d.kind)).toEqual(['X402_DIFFERS_ON_CHAIN']);
    expect(found(report)[0]?.message).toContain('no Transfer from the payer to one of our payees');
  });

  it("names an authorization settled on chain to one of our payees that the ledger never recorded (the facilitator's crash window)", () => {
    const snapshots = world([{ outcome: 'served' }]);
    addX402(snapshots, 1);
    const { chain } = parts(snapshots);
    const nonce = nonceOf(77);
    chain.authorizations.push({ authorizer: X402_PAYER, nonce, txHash: txOf(977), blockNumber: 977, logIndex: 3 });
    chain.transfers.push({
      from: X402_PAYER,
      to: PAYEE,
      amount: toTokenUnits(500_000n, DECIMALS),
      txHash: txOf(977),
      blockNumber: 977,
      logIndex: 4,
    });
    // an authorization paying somebody else is none of ours: its Transfer to them is not even read
    chain.authorizations.push({ authorizer: OTHER, nonce, txHash: txOf(978), blockNumber: 978, logIndex: 0 });

    const report = reconcile(snapshots);

    expect(report.exitCode).toBe(1);
    expect(found(report)).toEqual([
      {
        check: 'x402-chain',
        kind: 'X402_NOT_IN_LEDGER',
        record: { type: 'chain-payment', id: txOf(977) },
        message: expect.stringContaining('the ledger has no x402 payment with its payer and nonce'),
        sides: {
          ledger: `no x402 payment from ${X402_PAYER} with nonce ${nonce}`,
          chain: `AuthorizationUsed(${X402_PAYER}, ${nonce}) and Transfer 0.50 to ${PAYEE} in block 977, tx ${txOf(977)}`,
        },
      },
    ]);
    expect(check(report)?.counts).toEqual({
      ledger: { x402: 1 },
      chain: { authorizations: 2, foreignAuthorizations: 1, permit2Settlements: 0 },
    });
  });

  describe('payments of the Permit2 path (no AuthorizationUsed: the x402 proxy settled them)', () => {
    it("agrees when each has the proxy's Settled and the Transfer of exactly its amount to its payee in its transaction, beside ERC-3009 ones", () => {
      const snapshots = world([{ outcome: 'served' }]);
      addX402(snapshots, 1);
      addX402Permit2(snapshots, 2, '1.5');

      const report = reconcile(snapshots);

      expect(found(report)).toEqual([]);
      expect(check(report)).toMatchObject({
        status: 'PASS',
        amounts: { ledger: { paid: '1.75' }, chain: { paid: '1.75' } },
        counts: { ledger: { x402: 2 }, chain: { authorizations: 1, foreignAuthorizations: 0, permit2Settlements: 1 } },
      });
      expect(check(report)?.summary).toBe(
        '2 x402 payments, 1 AuthorizationUsed event and 1 Permit2 settlement to our payees: paid 1.75 on both sides',
      );
    });

    it('names one whose transaction has no Permit2 settlement (a Transfer alone is no settlement of ours)', () => {
      const snapshots = world([]);
      const payment = addX402Permit2(snapshots, 1);
      parts(snapshots).chain.permit2Settlements = [];

      expect(found(reconcile(snapshots))).toEqual([
        expect.objectContaining({
          kind: 'X402_NOT_ON_CHAIN',
          record: { type: 'payment', id: payment.id },
          sides: expect.objectContaining({ chain: expect.stringContaining(`no Permit2 settlement from ${X402_PAYER} in tx ${txOf(901)}`) }),
        }),
      ]);
    });

    it('names one whose Transfer moved another amount, or went elsewhere', () => {
      const snapshots = world([]);
      const first = addX402Permit2(snapshots, 1);
      const second = addX402Permit2(snapshots, 2);
      const [wrongAmount, wrongPayee] = parts(snapshots).chain.transfers;
      if (!wrongAmount || !wrongPayee) throw new Error('two transfers expected');
      wrongAmount.amount = toTokenUnits(250_000n, DECIMALS) - 1n;
      wrongPayee.to = OTHER;

      expect(found(reconcile(snapshots)).map((d) => [d.kind, d.record.id, d.message])).toEqual([
        ['X402_DIFFERS_ON_CHAIN', first.id, "the token's Permit2 settlement differs from the ledger in amount"],
        ['X402_DIFFERS_ON_CHAIN', second.id, "the token's Permit2 settlement differs from the ledger in payee"],
      ]);
    });

    it('names a Permit2 settlement to one of our payees that the ledger never recorded', () => {
      const snapshots = world([]);
      addX402Permit2(snapshots, 1);
      const { chain } = parts(snapshots);
      chain.permit2Settlements.push({ txHash: txOf(977), blockNumber: 977, logIndex: 2 });
      chain.transfers.push({
        from: X402_PAYER,
        to: PAYEE,
        amount: toTokenUnits(500_000n, DECIMALS),
        txHash: txOf(977),
        blockNumber: 977,
        logIndex: 1,
      });

      const report = reconcile(snapshots);

      expect(report.exitCode).toBe(1);
      expect(found(report)).toEqual([
        {
          check: 'x402-chain',
          kind: 'X402_NOT_IN_LEDGER',
          record: { type: 'chain-payment', id: txOf(977) },
          message: expect.stringContaining('a Permit2 settlement paid one of our providers'),
          sides: {
            ledger: `no x402 payment from ${X402_PAYER} in tx ${txOf(977)}`,
            chain: `Permit2 settlement through the x402 proxy: Transfer 0.50 from ${X402_PAYER} to ${PAYEE} in block 977, tx ${txOf(977)}`,
          },
        },
      ]);
    });
  });

  it('is skipped with the chain in mock mode', () => {
    const report = reconcile(world([{ outcome: 'served' }], 'mock'));
    expect(report.exitCode).toBe(0);
    expect(check(report)).toMatchObject({ status: 'SKIPPED', reason: 'mock mode' });
  });

  describe("our agents' x402-out payments (the treasury's authorizations)", () => {
    const x402Out = (served: boolean | null) => {
      const snapshots = world([{ outcome: 'served' }]);
      const [grantPayment] = parts(snapshots).ledger.payments;
      if (!grantPayment) throw new Error('one payment expected');
      return { snapshots, payment: makeX402Out(snapshots, grantPayment, 1, served) };
    };

    it('agrees when an x402-out payment has its AuthorizationUsed and its Transfer from the treasury; the router check leaves it out', () => {
      const { snapshots } = x402Out(true);

      const report = reconcile(snapshots);

      expect(report.discrepancies).toEqual([]);
      expect(report.exitCode).toBe(0);
      expect(check(report)).toMatchObject({ status: 'PASS', counts: { ledger: { x402: 1 }, chain: { authorizations: 1 } } });
    });

    it('names an x402-out payment whose Transfer is not on chain', () => {
      const { snapshots, payment } = x402Out(true);
      parts(snapshots).chain.transfers = [];

      expect(found(reconcile(snapshots))).toEqual([
        expect.objectContaining({
          kind: 'X402_DIFFERS_ON_CHAIN',
          record: { type: 'payment', id: payment.id },
          sides: expect.objectContaining({ ledger: expect.stringContaining(`x402-out 0.05 from ${TREASURY} to ${PAYEE}`) }),
        }),
      ]);
    });

    it('names a settled x402-out payment whose service did not serve the call: X402_PAID_NOT_SERVED, with its service and transaction', () => {
      const { snapshots, payment } = x402Out(false);

      const report = reconcile(snapshots);

      expect(report.exitCode).toBe(1);
      expect(found(report)).toEqual([
        expect.objectContaining({
          kind: 'X402_PAID_NOT_SERVED',
          record: { type: 'payment', id: payment.id },
          message: expect.stringMatching(new RegExp(`${payment.id}.*${payment.serviceId}.*${payment.txHash ?? 'no tx'}`)),
        }),
      ]);
    });
  });
});
