import { LOG_ARCHIVE_LIMITS, LOG_LEVELS, type LogLevel, type LogLine, type LogSummary } from '@nexus/types';

const byCodePoints = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What the `summary` variant keeps of a batch of lines: counts by level, the
 * time range, and the most frequent messages (ties in code-point order, so
 * the same lines always give the same summary).
 */
export function summarise(lines: readonly LogLine[], top: number = LOG_ARCHIVE_LIMITS.topMessages): LogSummary {
  const [head] = lines;
  if (!head) throw new Error('a summary needs at least one line');
  const levels = Object.fromEntries(LOG_LEVELS.map((level) => [level, 0])) as Record<LogLevel, number>;
  const messages = new Map<string, number>();
  let first = head;
  let last = head;
  for (const line of lines) {
    levels[line.level] += 1;
    messages.set(line.message, (messages.get(line.message) ?? 0) + 1);
    const at = Date.parse(line.timestamp);
    if (at < Date.parse(first.timestamp)) first = line;
    if (at > Date.parse(last.timestamp)) last = line;
  }
  const topMessages = [...messages]
    .sort(([a, countA], [b, countB]) => countB - countA || byCodePoints(a, b))
    .slice(0, top)
    .map(([message, count]) => ({ message, count }));
  return {
    lineCount: lines.length,
    levels,
    firstTimestamp: first.timestamp,
    lastTimestamp: last.timestamp,
    distinctMessages: messages.size,
    topMessages,
  };
}
