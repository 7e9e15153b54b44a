import { Money, applyBasisPoints, fromBaseUnits, moneyProblem, toBaseUnits } from './money';

describe('money', () => {
  it('converts decimal strings to base units and back', () => {
    expect(toBaseUnits('0.05')).toBe(50_000n);
    expect(toBaseUnits('12')).toBe(12_000_000n);
    expect(toBaseUnits('1.123456')).toBe(1_123_456n);
    expect(fromBaseUnits(50_000n)).toBe('0.05');
    expect(fromBaseUnits(12_000_000n)).toBe('12.00');
    expect(fromBaseUnits(1_123_456n)).toBe('1.123456');
    expect(fromBaseUnits(0n)).toBe('0.00');
    expect(fromBaseUnits(-1_500_000n)).toBe('-1.50');
  });

  it.each([
    ['-1.00', 'must not be negative'],
    ['0.1234567', 'has 7 decimal places'],
    ['1e3', 'must be a decimal string'],
    ['01.5', 'must be a decimal string'],
    [' 1.5', 'must be a decimal string'],
    ['1.', 'must be a decimal string'],
    ['', 'must be a decimal string'],
    ['1000000000000', 'is too large'],
  ])('refuses %j: %s', (input, message) => {
    expect(moneyProblem(input)).toContain(message);
    expect(() => toBaseUnits(input)).toThrow(message);
    expect(Money.safeParse(input).success).toBe(false);
  });

  it('refuses numbers, because money is never a float', () => {
    const result = Money.safeParse(0.05);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('not a number');
  });

  it('takes a share in basis points, rounding down', () => {
    expect(applyBasisPoints(1_000_000n, 2500)).toBe(250_000n);
    expect(applyBasisPoints(3n, 5000)).toBe(1n);
  });
});
