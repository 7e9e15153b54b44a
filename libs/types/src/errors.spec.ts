import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MoneyFormatError, NexusError, toBaseUnits } from './index';

class WrappingError extends NexusError {
  override readonly name = 'WrappingError';
}

describe('NexusError', () => {
  it('gives a subclass its fixed name, its message and the error it wraps', () => {
    const cause = new Error('socket hang up');
    const error = new WrappingError('the node did not answer', { cause });
    expect(error).toBeInstanceOf(NexusError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WrappingError');
    expect(error.message).toBe('the node did not answer');
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('WrappingError: the node did not answer');
  });

  it('has no cause when none is given', () => {
    expect('cause' in new WrappingError('refused')).toBe(false);
  });

  it('is the base of the money errors', () => {
    const error = (() => {
      try {
        toBaseUnits('0.0000001');
      } catch (thrown: unknown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MoneyFormatError);
    expect(error).toBeInstanceOf(NexusError);
    expect((error as Error).name).toBe('MoneyFormatError');
  });
});

/**
 * Every error class in the libs, the services and the tools, read from the
 * source (this lib may import no other): each extends NexusError, directly or
 * through another error class, and sets its own fixed name.
 */
describe('every error class in the repo', () => {
  const root = join(__dirname, '../../..');
  const BUILT_IN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'AggregateError']);
  const SKIPPED = new Set(['node_modules', 'dist', 'generated']);

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (SKIPPED.has(entry.name) || entry.name.startsWith('.')) return [];
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return /\.tsx?$/.test(entry.name) ? [path] : [];
    });
  }

  interface ClassSource {
    name: string;
    base: string;
    body: string;
    file: string;
  }
  const classes: ClassSource[] = ['libs', 'apps', 'tools'].flatMap((top) =>
    sourceFiles(join(root, top)).flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      return [...text.matchAll(/^([ \t]*)(?:export )?(?:abstract )?class (\w+) extends (\w+)\b[^{]*\{/gm)].map((match) => {
        // the body runs to the brace at the class's own indentation (prettier's layout); `{}` is empty
        const start = match.index + match[0].length;
        const end = text.startsWith('}', start) ? start : text.indexOf(`\n${match[1] ?? ''}}`, start);
        return { name: match[2] ?? '', base: match[3] ?? '', body: text.slice(start, end), file: relative(root, path) };
      });
    }),
  );

  /** NexusError and every class built on it, however deep. */
  const errorClasses = (() => {
    const names = new Set(['NexusError']);
    for (let grew = true; grew;) {
      grew = false;
      for (const source of classes)
        if (names.has(source.base) && !names.has(source.name)) {
          names.add(source.name);
          grew = true;
        }
    }
    return classes.filter((source) => names.has(source.name) && source.name !== 'NexusError');
  })();

  it('finds the error classes it checks', () => {
    const found = errorClasses.map((source) => source.name);
    for (const name of [
      'AppError',
      'ServiceCallError',
      'ConfigError',
      'MoneyFormatError',
      'InvalidCursorError',
      'ReceiptTimeoutError',
      'SourceReadError',
    ])
      expect(found).toContain(name);
  });

  it('extends NexusError, never a built-in error directly', () => {
    const direct = classes
      .filter((source) => BUILT_IN_ERRORS.has(source.base) && source.name !== 'NexusError')
      .map((source) => `${source.file}: ${source.name} extends ${source.base}`);
    expect(direct).toEqual([]);
  });

  it('sets its own fixed name', () => {
    const unnamed = errorClasses
      .filter((source) => !new RegExp(`readonly name(: string)? = '${source.name}';`).test(source.body))
      .map((source) => `${source.file}: ${source.name}`);
    expect(unnamed).toEqual([]);
  });
});
