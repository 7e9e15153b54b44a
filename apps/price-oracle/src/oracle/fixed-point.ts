/**
 * Prices inside the oracle are bigints of 10^-36: enough room that an inverse
 * or a cross of two configured prices (at most 15 integer digits and 18
 * decimals each) keeps its significant digits. No floats anywhere.
 */
export const PRICE_SCALE = 36;
export const ONE = 10n ** BigInt(PRICE_SCALE);

/** "3150.25" → 3150.25 × 10^36. The feed loader has already checked the format (≤ 18 decimals). */
export function parsePrice(decimal: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match || (match[2]?.length ?? 0) > PRICE_SCALE) throw new Error(`"${decimal}" is not a price`);
  const [, whole = '0', fraction = ''] = match;
  return BigInt(whole) * ONE + BigInt(fraction.padEnd(PRICE_SCALE, '0'));
}

/** a / b rounded half up (both non-negative, b positive). */
export function divRound(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

/** How many significant digits a price below 1 keeps when `decimals` would show fewer. */
export const MIN_SIGNIFICANT_DIGITS = 6;

/**
 * A price as a decimal string: rounded half up to `decimals` places, or to
 * as many as keep 6 significant digits of a price below 1 (at most 36);
 * trailing zeros dropped beyond the second decimal ("3162.931", "1.00").
 */
export function formatPrice(units: bigint, decimals: number): string {
  let places = decimals;
  if (units > 0n && units < ONE) {
    const leadingZeros = PRICE_SCALE - units.toString().length;
    places = Math.max(decimals, Math.min(PRICE_SCALE, leadingZeros + MIN_SIGNIFICANT_DIGITS));
  }
  const rounded = divRound(units, 10n ** BigInt(PRICE_SCALE - places));
  const scale = 10n ** BigInt(places);
  const whole = (rounded / scale).toString();
  if (places === 0) return whole;
  const keep = Math.min(2, places);
  const fraction = (rounded % scale).toString().padStart(places, '0');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}.${trimmed.length >= keep ? trimmed : fraction.slice(0, keep)}`;
}
