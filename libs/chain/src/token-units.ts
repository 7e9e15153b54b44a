import { MONEY_DECIMALS } from '@nexus/types';

/**
 * Money inside Nexus is bigint base units of 10^-6 MNEE; on chain the token
 * has its own decimals (18 for the local stand-in). These convert exactly,
 * and refuse what cannot be represented rather than round.
 */
export function toTokenUnits(baseUnits: bigint, tokenDecimals: number): bigint {
  const shift = tokenDecimals - MONEY_DECIMALS;
  if (shift >= 0) return baseUnits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  if (baseUnits % divisor !== 0n)
    throw new RangeError(`${baseUnits} base units cannot be paid exactly with a ${tokenDecimals}-decimal token`);
  return baseUnits / divisor;
}

/** Token units → base units, rounded down (a partial base unit is not money Nexus can account). */
export function fromTokenUnits(tokenUnits: bigint, tokenDecimals: number): bigint {
  const shift = tokenDecimals - MONEY_DECIMALS;
  return shift >= 0 ? tokenUnits / 10n ** BigInt(shift) : tokenUnits * 10n ** BigInt(-shift);
}
