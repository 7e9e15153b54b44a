import { mnee, x402Report, type X402Observed } from './report';
import { E18, goodRun, PAYEE, PRICE } from './testing/good-run';

const failed = (seen: X402Observed) =>
  x402Report(seen)
    .checks.filter((check) => !check.ok)
    .map((check) => check.name);

describe('npm run demo:x402 report', () => {
  it('formats token units as exact MNEE strings', () => {
    expect(mnee(E18, 18)).toBe('1');
    expect(mnee(PRICE, 18)).toBe('0.05');
    expect(mnee(123456789012345678901n, 18)).toBe('123.456789012345678901');
    expect(mnee(0n, 18)).toBe('0');
  });

  it('passes every check of a good run, with the amounts as decimal strings', () => {
    const report = x402Report(goodRun());
    expect(report.ok).toBe(true);
    expect(report.checks).toHaveLength(6);
    expect(report).toMatchObject({
      funding: { amount: '1' },
      offer: { scheme: 'exact', amount: '0.05', payTo: PAYEE },
      paid: { status: 200, price: '3120.45' },
      balances: { payer: { before: '1', after: '0.95' }, payee: { address: PAYEE, before: '12', after: '12.05' } },
      replay: { status: 402 },
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('fails the balance checks when the tokens moved by anything but the price', () => {
    const seen = goodRun();
    seen.balances.payee.after += 1n;
    seen.replay.payeeAfter += 1n;
    expect(failed(seen)).toEqual(['the payee received exactly the price']);
  });

  it('fails when the replay is served, or moves money', () => {
    expect(failed({ ...goodRun(), replay: { ...goodRun().replay, status: 200, offered: false } })).toEqual([
      'the same payment sent again is refused (402), nothing moves',
    ]);
    expect(failed({ ...goodRun(), replay: { ...goodRun().replay, payerAfter: 0n } })).toEqual([
      'the same payment sent again is refused (402), nothing moves',
    ]);
  });

  it('fails when the offer is not the local MNEE, or the call was not served and settled', () => {
    const elsewhere = goodRun();
    if (elsewhere.offer) elsewhere.offer.asset = PAYEE;
    expect(failed(elsewhere)).toEqual(['the 402 offers the exact scheme, paid in the local MNEE']);
    const unpaid = { ...goodRun(), paid: { status: 402, base: null, price: null, transaction: null, success: false } };
    expect(failed(unpaid)).toEqual(['the paid call answers 200 with an ETH price', 'PAYMENT-RESPONSE reports the settlement']);
    expect(x402Report({ ...goodRun(), offer: null }).ok).toBe(false);
  });
});
