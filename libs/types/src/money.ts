import { z } from 'zod';
import { NexusError } from './errors';

/**
 * Money crosses every boundary as a decimal string of MNEE ("0.05") and lives
 * inside services as bigint base units of 10^-MONEY_DECIMALS MNEE. This file is
 * the only place that converts between the two.
 */
export const MONEY_DECIMALS = 6;
const SCALE = 10n ** BigInt(MONEY_DECIMALS);
/** Twelve integer digits keep every amount (and sums of many) inside a signed 64-bit column. */
const MAX_INTEGER_DIGITS = 12;

const MONEY_PATTERN = new RegExp(`^(0|[1-9]\\d{0,${MAX_INTEGER_DIGITS - 1}})(\\.\\d{1,${MONEY_DECIMALS}})?$`);

/** Why a string is not money, or null when it is. */
export function moneyProblem(value: string): string | null {
  if (MONEY_PATTERN.test(value)) return null;
  const trimmed = value.trim();
  if (trimmed.startsWith('-')) return 'must not be negative';
  const decimals = /^\d+\.(\d+)$/.exec(trimmed)?.[1];
  if (decimals !== undefined && decimals.length > MONEY_DECIMALS) {
    return `has ${decimals.length} decimal places; at most ${MONEY_DECIMALS} are allowed`;
  }
  const whole = /^(\d+)(\.\d+)?$/.exec(trimmed)?.[1];
  if (whole !== undefined && whole.replace(/^0+(?=\d)/, '').length > MAX_INTEGER_DIGITS) {
    return `is too large; at most ${MAX_INTEGER_DIGITS} integer digits are allowed`;
  }
  return 'must be a decimal string of MNEE such as "0.05" (no sign, exponent, spaces or leading zeros)';
}

/** A decimal string of MNEE, e.g. "0.05". Numbers are refused: money is never a float. */
export const Money = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'is required' : 'must be a decimal string of MNEE such as "0.05" (quoted in YAML), not a number',
  })
  .superRefine((value, ctx) => {
    const problem = moneyProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
export type Money = z.infer<typeof Money>;

export class MoneyFormatError extends NexusError {
  override readonly name = 'MoneyFormatError';
}

/** "0.05" → 50000n. Throws MoneyFormatError on anything that is not a valid amount. */
export function toBaseUnits(amount: string): bigint {
  const problem = moneyProblem(amount);
  if (problem) throw new MoneyFormatError(`"${amount}" ${problem}`);
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * SCALE + BigInt(fraction.padEnd(MONEY_DECIMALS, '0'));
}

/** 50000n → "0.05". Keeps at least two decimals ("1.00") and drops trailing zeros beyond them. */
export function fromBaseUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  let fraction = (abs % SCALE).toString().padStart(MONEY_DECIMALS, '0').replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** A share of an amount, rounded down: `share(1000n, 2500)` is a quarter. */
export const BASIS_POINTS = 10_000n;
export function applyBasisPoints(units: bigint, basisPoints: number): bigint {
  return (units * BigInt(basisPoints)) / BASIS_POINTS;
}

/** The sum of decimal-string amounts, as a decimal string ("0.00" for none). */
export function sumMoney(amounts: readonly string[]): string {
  return fromBaseUnits(amounts.reduce((total, amount) => total + toBaseUnits(amount), 0n));
}
