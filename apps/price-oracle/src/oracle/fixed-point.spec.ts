import { ONE, divRound, formatPrice, parsePrice } from './fixed-point';

describe('fixed-point prices', () => {
  it('reads a decimal string exactly at 36 decimal places', () => {
    expect(parsePrice('3150.25')).toBe(315025n * 10n ** 34n);
    expect(parsePrice('0.000000000000000001')).toBe(10n ** 18n);
    expect(parsePrice('1')).toBe(ONE);
    expect(() => parsePrice('1e3')).toThrow('"1e3" is not a price');
  });

  it('rounds a quotient half up', () => {
    expect([divRound(5n, 2n), divRound(7n, 3n), divRound(8n, 3n), divRound(0n, 9n)]).toEqual([3n, 2n, 3n, 0n]);
  });

  it('writes a price at the feed decimals, half up, without trailing zeros beyond two', () => {
    expect(formatPrice(parsePrice('3162.931'), 8)).toBe('3162.931');
    expect(formatPrice(parsePrice('1'), 8)).toBe('1.00');
    expect(formatPrice(parsePrice('1.125'), 2)).toBe('1.13');
    expect(formatPrice(parsePrice('1.124999'), 2)).toBe('1.12');
    expect(formatPrice(parsePrice('2.5'), 0)).toBe('3');
    expect(formatPrice(parsePrice('12.3456789'), 1)).toBe('12.3');
  });

  it('keeps six significant digits of a price below 1 even past the feed decimals', () => {
    expect(formatPrice(divRound(ONE * ONE, parsePrice('64250')), 8)).toBe('0.0000155642');
    expect(formatPrice(parsePrice('0.5'), 8)).toBe('0.50');
    expect(formatPrice(parsePrice('0.000000000000000001234567'), 8)).toBe('0.00000000000000000123457');
  });
});
