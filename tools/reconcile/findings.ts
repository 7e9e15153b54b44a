import { fromBaseUnits, toBaseUnits } from '@nexus/types';
import type { CheckId, Discrepancy, Notice, RecordRef, Side } from './report';

/** What one check found: disagreements, and what is in flight or cannot be checked (neither fails the check). */
export class Findings {
  readonly discrepancies: Discrepancy[] = [];
  readonly inFlight: Notice[] = [];
  readonly unchecked: Notice[] = [];

  constructor(readonly check: CheckId) {}

  disagree(kind: string, record: RecordRef, message: string, sides: Partial<Record<Side, string>>): void {
    this.discrepancies.push({ check: this.check, kind, record, message, sides });
  }

  flying(kind: string, record: RecordRef, message: string): void {
    this.inFlight.push({ check: this.check, kind, record, message });
  }

  cannotCheck(kind: string, record: RecordRef, message: string): void {
    this.unchecked.push({ check: this.check, kind, record, message });
  }
}

/** What a check hands back besides its findings: its line of the report and its figures. */
export interface CheckOutcome {
  summary: string;
  amounts: Partial<Record<Side, Record<string, string>>>;
  counts: Partial<Record<Side, Record<string, number>>>;
  findings: Findings;
}

/** Money in base units from a decimal string of MNEE. */
export const units = (amount: string): bigint => toBaseUnits(amount);
/** A sum (possibly negative) as a decimal string of MNEE. */
export const mnee = (value: bigint): string => fromBaseUnits(value);

export function sumOf<T>(items: Iterable<T>, amount: (item: T) => bigint): bigint {
  let total = 0n;
  for (const item of items) total += amount(item);
  return total;
}

/** Groups items by a key; items without one (null) are left out. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** A sum of money as the logger reports it (any number of integer digits, possibly negative) in base units. */
export function netUnits(value: string): bigint {
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const magnitude = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
  return negative ? -magnitude : magnitude;
}
