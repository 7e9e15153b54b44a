import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { workspaceRoot } from './build';
import { loadEnvFile } from './env-file';
import { BUILT_NAMES, NOT_NAMES, isTestSource, namesRead, parseEnvExample, readsOf, workspaceSources } from './env-reads';

const read = (file: string) => readFileSync(join(workspaceRoot, file), 'utf8');
const example = parseEnvExample(read('.env.example'));
const documented = new Set(example.map((entry) => entry.name));
const sources = workspaceSources();
const code = namesRead(sources.filter((path) => !isTestSource(path)));
const tests = namesRead(sources.filter(isTestSource));

/** Read by docker-compose itself: the project name, and what docker-compose.yml interpolates. */
const readByCompose = new Set([
  'COMPOSE_PROJECT_NAME',
  ...[...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
]);

/** Read from the environment, but set by the code itself for a process it starts: not configuration. */
const INTERNAL = [
  { name: 'PORT', path: 'tools/bench/bare-server.ts', why: 'the benchmark gives the bare server it starts a port' },
  {
    name: 'CHAIN_JOURNAL_FILE',
    path: 'apps/payment/src/build-settler.ts',
    why: '`npm start` tells the payment service the journal of the node it started, so SUCCESS waits for the block to be in it',
  },
  {
    name: 'BENCH_CPU_PROFILE_DIR',
    path: 'tools/bench/cpu-profile-preload.ts',
    why: '`npm run bench -- --profile` tells the processes it profiles',
  },
];

/** The section test-only variables are documented under. */
const TESTS = 'Tests';

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('.env.example', () => {
  it('documents every variable the apps, the libs and the tools read (names built from a template expanded)', () => {
    const internal = new Set(INTERNAL.map((i) => i.name));
    const missing = [...code.names.keys()].filter((name) => !documented.has(name) && !internal.has(name));
    expect(sorted(missing)).toEqual([]);
  });

  it('lists only variables something reads: the code, docker-compose, or (under Tests) the tests', () => {
    const stale = example
      .filter(
        (entry) => !(entry.section === TESTS ? tests.names.has(entry.name) : code.names.has(entry.name) || readByCompose.has(entry.name)),
      )
      .map((entry) => `${entry.name} (line ${entry.line})`);
    expect(stale).toEqual([]);
  });

  it('explains each variable with a comment above it (or above the group it starts)', () => {
    const unexplained = example.filter((entry) => !/^#\s*\S/.test(entry.above)).map((entry) => `${entry.name} (line ${entry.line})`);
    expect(unexplained).toEqual([]);
  });

  it('lists each variable once', () => {
    const names = example.map((entry) => entry.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it('has a secret-free example: every secret is left empty, for `npm run env` to generate', () => {
    const values = parseEnv(read('.env.example'));
    const secrets = example.filter((entry) => entry.section.startsWith('Secrets') && !entry.commented);
    expect(secrets.length).toBeGreaterThan(0);
    for (const entry of secrets) {
      const value = values[entry.name] ?? '';
      // AGENT_API_KEYS shows its format with placeholders too short to be accepted as keys
      expect({ name: entry.name, value }).toEqual({ name: entry.name, value: expect.stringMatching(/^$|^([a-z-]+:change-me,?)+$/) });
    }
  });

  it('lists in its Secrets section every secret `npm run env` generates, and nothing `npm run env` writes is undocumented', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-env-'));
    try {
      const { env } = loadEnvFile(join(dir, '.env'), {});
      for (const name of Object.keys(env)) expect(documented).toContain(name);
      for (const entry of example.filter((e) => e.section.startsWith('Secrets') && !e.commented)) {
        expect({ name: entry.name, generated: (env[entry.name] ?? '').length > 0 }).toEqual({ name: entry.name, generated: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the scan of the variables the code reads', () => {
  it('knows every name the code builds from a template (add a new one to BUILT_NAMES in env-reads.ts)', () => {
    expect(code.unknownTemplates).toEqual([]);
  });

  it('lists no template the code no longer builds, and no internal variable the code no longer reads', () => {
    const gone = [...BUILT_NAMES, ...NOT_NAMES]
      .filter((b) => !existsSync(join(workspaceRoot, b.path)) || !readsOf(b.path).shapes.includes(b.shape))
      .map((b) => `${b.path}: ${b.shape}`);
    expect(gone).toEqual([]);
    const unread = INTERNAL.filter(({ name, path }) => !existsSync(join(workspaceRoot, path)) || !readsOf(path).names.includes(name));
    expect(unread).toEqual([]);
  });

  it('finds reads in every form the code uses, and not in comments or unrelated strings', () => {
    mkdirSync(join(workspaceRoot, 'tmp'), { recursive: true });
    const dir = mkdtempSync(join(workspaceRoot, 'tmp', 'env-reads-'));
    const path = join(dir, 'probe.ts').slice(workspaceRoot.length + 1);
    try {
      writeFileSync(
        join(workspaceRoot, path),
        [
          "import { z } from 'zod';",
          "import { requirePrivateKey } from '@nexus/config';",
          '// process.env.IN_A_COMMENT',
          "const NAMES = { a: 'FROM_NAME_TABLE', b: process.env['FROM_ENV'] ? 'FROM_EITHER' : 'FROM_OR' } as const;",
          'const Schema = z.object({ FROM_ZOD_KEY: z.string(), lower: z.string(), nested: z.object({ deep: z.string() }) });',
          'export const probe = (env: NodeJS.ProcessEnv, fileEnv: Record<string, string>) => [',
          "  process.env['FROM_PROCESS_ENV'], process.env.FROM_DOT, env['FROM_ENV'], fileEnv['FROM_FILE_ENV'],",
          "  { env: 'FROM_ENV_PROPERTY' }, 'NOT_A_READ', NAMES, Schema, `${String(env['X_Y'])}_SUFFIX_BUILT`, requirePrivateKey('FROM_HELPER'),",
          '];',
        ].join('\n'),
      );
      const reads = readsOf(path);
      expect(reads.names).toEqual(
        [
          'FROM_DOT',
          'FROM_EITHER',
          'FROM_ENV',
          'FROM_ENV_PROPERTY',
          'FROM_OR',
          'FROM_FILE_ENV',
          'FROM_HELPER',
          'FROM_NAME_TABLE',
          'FROM_PROCESS_ENV',
          'FROM_ZOD_KEY',
          'X_Y',
        ].sort(),
      );
      expect(reads.shapes).toEqual(['*_SUFFIX_BUILT']);
      expect(namesRead([path]).unknownTemplates).toEqual([`${path}: *_SUFFIX_BUILT`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
