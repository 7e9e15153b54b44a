import { LOG_ARCHIVE_LIMITS, LogArchiveInput, LogLine, canonicalJson } from './log-archive';

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: 'x', c: { y: true, x: false } })).toBe(
      '{"a":"x","b":[3,{"a":null,"z":1}],"c":{"x":false,"y":true}}',
    );
  });

  it('orders keys by UTF-16 code units (upper case before lower case), and leaves out undefined fields', () => {
    expect(canonicalJson({ b: 1, B: 2, a: undefined, '\u00e9': 3 })).toBe('{"B":2,"b":1,"\u00e9":3}');
  });

  it('writes strings and numbers as JSON.stringify does, control characters escaped', () => {
    expect(canonicalJson(['caf\u00e9', 'tab\there', 'nul\u0000', 1.5, -0, 1e21])).toBe(
      '["caf\u00e9","tab\\there","nul\\u0000",1.5,0,1e+21]',
    );
  });

  it('reads back to the same serialisation', () => {
    const value = { lines: [{ message: 'x\ny', n: 0.1 + 0.2, nested: [[], {}] }] };
    expect(canonicalJson(JSON.parse(canonicalJson(value)))).toBe(canonicalJson(value));
  });
});

describe('log lines', () => {
  it('stores the level in lower case and keeps extra fields as given', () => {
    expect(
      LogLine.parse({ timestamp: '2026-03-10T12:00:00+01:00', level: 'WARN', message: 'm', host: 'a', n: 1, ok: false, x: null }),
    ).toEqual({
      timestamp: '2026-03-10T12:00:00+01:00',
      level: 'warn',
      message: 'm',
      host: 'a',
      n: 1,
      ok: false,
      x: null,
    });
  });

  it('refuses nested fields, too many fields and over-long field names', () => {
    const base = { timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'm' };
    expect(LogLine.safeParse({ ...base, nested: { a: 1 } }).success).toBe(false);
    const many = Object.fromEntries(Array.from({ length: LOG_ARCHIVE_LIMITS.extraFieldsMax + 1 }, (_, i) => [`f${i}`, i]));
    expect(LogLine.safeParse({ ...base, ...many }).success).toBe(false);
    expect(LogLine.safeParse({ ...base, ['k'.repeat(LOG_ARCHIVE_LIMITS.extraFieldNameMaxLength + 1)]: 1 }).success).toBe(false);
    expect(LogLine.safeParse({ ...base, timestamp: '2026-03-10 12:00' }).success).toBe(false);
  });

  it('takes between one and the most lines any variant keeps', () => {
    const line = { timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'm' };
    expect(LogArchiveInput.safeParse({ lines: [] }).success).toBe(false);
    expect(LogArchiveInput.safeParse({ lines: Array.from({ length: LOG_ARCHIVE_LIMITS.maxLines }, () => line) }).success).toBe(true);
    expect(LogArchiveInput.safeParse({ lines: Array.from({ length: LOG_ARCHIVE_LIMITS.maxLines + 1 }, () => line) }).success).toBe(false);
  });
});
