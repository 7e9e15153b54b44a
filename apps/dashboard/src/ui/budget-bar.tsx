import { toBaseUnits } from '@nexus/types';

/** Share of `part` in `whole` in tenths of a percent, from the API's money strings (no float money). */
export function permille(part: string, whole: string): number {
  const total = toBaseUnits(whole);
  if (total <= 0n) return 0;
  const share = (toBaseUnits(part) * 1000n) / total;
  return Number(share > 1000n ? 1000n : share);
}

export interface BudgetBarProps {
  label: string;
  budget: string;
  spent: string;
  reserved: string;
  remaining: string;
  testId?: string;
}

/** One budget window as a bar: spent, then held (reserved), then what remains — the figures the API gives. */
export function BudgetBar({ label, budget, spent, reserved, remaining, testId }: BudgetBarProps) {
  const spentShare = permille(spent, budget);
  const reservedShare = Math.min(permille(reserved, budget), 1000 - spentShare);
  return (
    <div className="budget-bar" data-testid={testId} data-spent={spent} data-reserved={reserved}>
      <div className="budget-bar-label">
        <span>{label}</span>
        <span>
          {spent} spent · {reserved} held · {remaining} left of {budget} MNEE
        </span>
      </div>
      <div
        className="budget-bar-track"
        role="meter"
        aria-label={`${label}: ${spent} of ${budget} MNEE spent`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(spentShare / 10)}
      >
        <div className="budget-bar-spent" style={{ width: `${spentShare / 10}%` }} />
        <div className="budget-bar-reserved" style={{ width: `${reservedShare / 10}%` }} />
      </div>
    </div>
  );
}
