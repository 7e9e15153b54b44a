import type { LogLine } from '@nexus/types';
import { summarise } from './summarise';

const line = (timestamp: string, level: LogLine['level'], message: string): LogLine => ({ timestamp, level, message });

describe('log summaries', () => {
  it('counts lines by level, every level named, and finds the time range whatever the order and offset', () => {
    const summary = summarise([
      line('2026-03-10T12:00:05Z', 'info', 'started'),
      line('2026-03-10T13:59:00+02:00', 'error', 'disk full'),
      line('2026-03-10T12:00:07.250Z', 'warn', 'slow'),
      line('2026-03-10T11:00:00Z', 'info', 'started'),
    ]);

    expect(summary).toMatchObject({
      lineCount: 4,
      levels: { trace: 0, debug: 0, info: 2, warn: 1, error: 1, fatal: 0 },
      firstTimestamp: '2026-03-10T11:00:00Z',
      lastTimestamp: '2026-03-10T12:00:07.250Z',
      distinctMessages: 3,
    });
  });

  it('lists the most frequent messages first, ties in code-point order, at most the limit', () => {
    const lines = ['b', 'a', 'c', 'a', 'b', 'Z', 'd', 'a'].map((message, i) => line(`2026-03-10T12:00:0${i}Z`, 'info', message));

    expect(summarise(lines, 4).topMessages).toEqual([
      { message: 'a', count: 3 },
      { message: 'b', count: 2 },
      { message: 'Z', count: 1 },
      { message: 'c', count: 1 },
    ]);
  });

  it('gives the same summary for the same lines in any order', () => {
    const lines = Array.from({ length: 50 }, (_, i) => line(`2026-03-10T12:${String(i).padStart(2, '0')}:00Z`, 'debug', `m${i % 7}`));
    expect(summarise([...lines].reverse())).toEqual(summarise(lines));
  });

  it('has nothing to summarise without lines', () => {
    expect(() => summarise([])).toThrow('at least one line');
  });
});
