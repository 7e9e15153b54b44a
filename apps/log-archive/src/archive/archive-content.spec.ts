import { createHash } from 'node:crypto';
import { archiveContent } from './archive-content';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('archive content', () => {
  it('hashes full lines in their canonical form: keys sorted, no whitespace', () => {
    const sealed = archiveContent('full', [
      { timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'caf\u00e9 ok', host: 'a', retry: 2, ok: true, span: null },
    ]);
    const expected = '[{"host":"a","level":"info","message":"café ok","ok":true,"retry":2,"span":null,"timestamp":"2026-03-10T12:00:00Z"}]';

    expect(sealed.serialised).toBe(expected);
    expect(sealed.contentHash).toBe(sha256(expected));
    expect(sealed.storedBytes).toBe(Buffer.byteLength(expected, 'utf8'));
    expect(sealed.storedBytes).toBe(expected.length + 1);
  });

  it('keeps only the summary for the summary variant, and hashes that', () => {
    const sealed = archiveContent('summary', [
      { timestamp: '2026-03-10T12:00:00Z', level: 'warn', message: 'x' },
      { timestamp: '2026-03-10T12:00:01Z', level: 'warn', message: 'x' },
    ]);

    expect(sealed.content).toEqual({
      variant: 'summary',
      summary: {
        lineCount: 2,
        levels: { trace: 0, debug: 0, info: 0, warn: 2, error: 0, fatal: 0 },
        firstTimestamp: '2026-03-10T12:00:00Z',
        lastTimestamp: '2026-03-10T12:00:01Z',
        distinctMessages: 1,
        topMessages: [{ message: 'x', count: 2 }],
      },
    });
    expect(sealed.serialised).toBe(
      '{"distinctMessages":1,"firstTimestamp":"2026-03-10T12:00:00Z","lastTimestamp":"2026-03-10T12:00:01Z","levels":{"debug":0,"error":0,"fatal":0,"info":0,"trace":0,"warn":2},"lineCount":2,"topMessages":[{"count":2,"message":"x"}]}',
    );
    expect(sealed.contentHash).toBe(sha256(sealed.serialised));
  });

  it('gives the same hash for the same lines whatever the order of their fields', () => {
    const a = archiveContent('full', [{ timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'm', b: 1, a: 2 }]);
    const b = archiveContent('full', [{ a: 2, message: 'm', b: 1, level: 'info', timestamp: '2026-03-10T12:00:00Z' }]);
    expect(b.contentHash).toBe(a.contentHash);
  });
});
