import { mnee, x402Report, type X402Observed } from './report';
import { API_PAY_TO, E18, goodRun, PAYEE, PRICE } from './testing/good-run';

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
    expect(report.checks).toHaveLength(10);
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

  describe('the other way: user-agent pays the x402 API through the gateway', () => {
    it('reports the call, the decision and the balances as decimal strings', () => {
      expect(x402Report(goodRun()).api).toEqual({
        serviceId: 'EXT_WEATHER',
        url: 'http://127.0.0.1:8010/weather',
        paid: { status: 200, action: 'ALLOWED', amount: '0.02', payment: 'SUCCESS', transaction: `0x${'b'.repeat(64)}` },
        balances: { treasury: { before: '900', after: '899.98' }, payTo: { address: API_PAY_TO, before: '0', after: '0.02' } },
        aboveMax: { status: 200, action: 'REJECTED', reason: 'PRICE_ABOVE_MAX', amount: '0.11' },
      });
    });

    it('fails when the treasury moved by anything but the price', () => {
      const seen = goodRun();
      seen.api.balances.treasury.after -= 1n;
      expect(failed(seen)).toEqual(['the treasury paid exactly the price, and the API was paid exactly that']);
    });

    it('fails when the call was not paid on chain, or answered something else', () => {
      const seen = goodRun();
      seen.api.paid = { ...seen.api.paid, payment: { status: 'FAILED', txHash: null }, result: { city: 'Lyon' } };
      expect(failed(seen)).toEqual([
        'the gateway paid EXT_WEATHER for user-agent at the price of its 402 answer, on chain',
        "the answer is EXT_WEATHER's own",
      ]);
    });

    it('fails when a price above maxPrice was allowed, or money moved', () => {
      const allowed = goodRun();
      allowed.api.aboveMax = { ...allowed.api.aboveMax, action: 'ALLOWED', reason: 'WITHIN_POLICY' };
      expect(failed(allowed)).toEqual(['a 402 above maxPrice is refused before paying (PRICE_ABOVE_MAX), nothing moves']);
      const moved = goodRun();
      moved.api.aboveMax.moved = true;
      expect(failed(moved)).toEqual(['a 402 above maxPrice is refused before paying (PRICE_ABOVE_MAX), nothing moves']);
    });
  });
});
