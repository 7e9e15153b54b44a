import { DateTime } from 'luxon';
import type { PolicySettings } from '@nexus/config';
import type { PeriodBounds } from '@nexus/stores';

const UNITS = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

/** The calendar period (day, ISO week or month) in the configured time zone that contains an instant. */
export function periodBounds(period: PolicySettings['period']): PeriodBounds {
  const unit = UNITS[period.length];
  return (instant) => {
    const start = DateTime.fromJSDate(instant, { zone: period.timeZone }).startOf(unit);
    return { start: start.toJSDate(), end: start.plus({ [unit]: 1 }).toJSDate() };
  };
}
