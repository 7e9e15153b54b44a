import { toBaseUnits } from '@nexus/types';
import { fromTokenUnits, toTokenUnits } from './token-units';

describe('token units', () => {
  it('scales six-decimal money up to an 18-decimal token exactly', () => {
    expect(toTokenUnits(toBaseUnits('0.05'), 18)).toBe(50_000_000_000_000_000n);
    expect(fromTokenUnits(50_000_000_000_000_000n, 18)).toBe(toBaseUnits('0.05'));
  });

  it('is the identity for a six-decimal token', () => {
    expect(toTokenUnits(123n, 6)).toBe(123n);
  });

  it('refuses an amount a coarser token cannot carry, rather than round it', () => {
    expect(toTokenUnits(toBaseUnits('1.5'), 2)).toBe(150n);
    expect(() => toTokenUnits(toBaseUnits('0.005'), 2)).toThrow(RangeError);
  });
});
