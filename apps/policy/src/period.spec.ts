import { periodBounds } from './period';

const at = (iso: string) => new Date(iso);
const bounds = (length: 'daily' | 'weekly' | 'monthly', timeZone: string, instant: string) => {
  const { start, end } = periodBounds({ length, timeZone })(at(instant));
  return { start: start.toISOString(), end: end.toISOString() };
};

describe('budget period bounds', () => {
  it('runs from UTC midnight to UTC midnight by default', () => {
    expect(bounds('daily', 'UTC', '2026-05-01T23:59:59.999Z')).toEqual({
      start: '2026-05-01T00:00:00.000Z',
      end: '2026-05-02T00:00:00.000Z',
    });
    expect(bounds('daily', 'UTC', '2026-05-02T00:00:00.000Z').start).toBe('2026-05-02T00:00:00.000Z');
  });

  it('follows local midnight in another time zone', () => {
    // 23:30 UTC on 1 May is already 2 May in Paris (UTC+2 in summer).
    expect(bounds('daily', 'Europe/Paris', '2026-05-01T23:30:00.000Z')).toEqual({
      start: '2026-05-01T22:00:00.000Z',
      end: '2026-05-02T22:00:00.000Z',
    });
  });

  it('has 23 hours on the day clocks go forward', () => {
    // Paris moves from UTC+1 to UTC+2 on 29 March 2026.
    expect(bounds('daily', 'Europe/Paris', '2026-03-29T12:00:00.000Z')).toEqual({
      start: '2026-03-28T23:00:00.000Z',
      end: '2026-03-29T22:00:00.000Z',
    });
  });

  it('runs weekly from Monday and monthly from the first', () => {
    expect(bounds('weekly', 'UTC', '2026-05-01T12:00:00.000Z')).toEqual({
      start: '2026-04-27T00:00:00.000Z',
      end: '2026-05-04T00:00:00.000Z',
    });
    expect(bounds('monthly', 'UTC', '2026-02-15T12:00:00.000Z')).toEqual({
      start: '2026-02-01T00:00:00.000Z',
      end: '2026-03-01T00:00:00.000Z',
    });
  });
});
