import type { TreasuryRules } from '../catalog';

/** What is left of the treasury's daily limit after the treasury-wide spend + holds (rule 4a). */
export const treasuryLeft = (treasury: TreasuryRules, totalUsed: bigint) => clampZero(treasury.dailyLimit - totalUsed);

/** What HIGH agents have not yet used of the part of the limit kept for them (rule 4b). */
export const highReserveLeft = (treasury: TreasuryRules, highUsed: bigint) => clampZero(treasury.highReserve - highUsed);

export const clampZero = (value: bigint) => (value < 0n ? 0n : value);
