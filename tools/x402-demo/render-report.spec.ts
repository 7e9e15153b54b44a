import { renderX402Report } from './render-report';
import { x402Report } from './report';
import { goodRun } from './testing/good-run';

describe('npm run demo:x402 output', () => {
  it('prints the offer, the price, the settlement, the balances and the checks, plainly', () => {
    const text = renderX402Report(x402Report(goodRun()));
    expect(text).toContain(
      'offer     402: exact on eip155:31337, asset 0x5fbdb2315678afecb367f032d93f642f64180aa3, payTo 0x90F79bf6EB2c4f870365E785982E1f101E93b906, 0.05 MNEE',
    );
    expect(text).toMatch(/^price {5}ETH = 3120\.45$/m);
    expect(text).toContain(`settled   tx 0x${'a'.repeat(64)}`);
    expect(text).toContain('balances  payer  1 -> 0.95 MNEE');
    expect(text).toContain('          payee  12 -> 12.05 MNEE (0x90F79bf6EB2c4f870365E785982E1f101E93b906)');
    expect(text).toContain('replay    same PAYMENT-SIGNATURE again: 402 (refused)');
    expect(text).toContain('  ok    the payer paid exactly the price');
    expect(text).toContain('EXT_WEATHER (x402 API at http://127.0.0.1:8010/weather), paid by user-agent through the gateway:');
    expect(text).toContain(`paid      200 ALLOWED 0.02 MNEE, payment SUCCESS, tx 0x${'b'.repeat(64)}`);
    expect(text).toContain('balances  treasury  900 -> 899.98 MNEE');
    expect(text).toContain('above max 200 REJECTED PRICE_ABOVE_MAX (asked 0.11 MNEE)');
    expect(text.trimEnd().split('\n').at(-1)).toBe('x402 demo: all 10 checks passed');
  });

  it('says which checks failed, and why', () => {
    const seen = goodRun();
    seen.replay.status = 200;
    const text = renderX402Report(x402Report(seen));
    expect(text).toContain('replay    same PAYMENT-SIGNATURE again: 200\n');
    expect(text).toContain('  FAIL  the same payment sent again is refused (402), nothing moves (status 200)');
    expect(text.trimEnd().split('\n').at(-1)).toBe('x402 demo: 1 of 10 checks failed');
  });
});
