import { DateTime } from 'luxon';
import type { PolicySettings } from '@nexus/config';
import type { PeriodBounds, PolicyCalendar } from '@nexus/stores';

const UNITS = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

/** The calendar period (day, ISO week or month) in the configured time zone that contains an instant. */
export function periodBounds(period: PolicySettings['period']): PeriodBounds {
  return calendarBounds(period.length, period.timeZone);
}

/** The budget period and the calendar week (from Monday) and month of the budget windows, all in the period's time zone. */
export function policyCalendar(period: PolicySettings['period']): PolicyCalendar {
  return {
    period: periodBounds(period),
    weekly: calendarBounds('weekly', period.timeZone),
    monthly: calendarBounds('monthly', period.timeZone),
  };
}

function calendarBounds(length: keyof typeof UNITS, timeZone: string): PeriodBounds {
  const unit = UNITS[length];
  return (instant) => {
    // luxon's startOf('week') is the ISO week: Monday 00:00 local time; plus({ week: 1 }) keeps local time across DST.
    const start = DateTime.fromJSDate(instant, { zone: timeZone }).startOf(unit);
    return { start: start.toJSDate(), end: start.plus({ [unit]: 1 }).toJSDate() };
  };
}
