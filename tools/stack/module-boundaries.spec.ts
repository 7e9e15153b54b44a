import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from './build';

interface LintResult {
  messages: { ruleId: string | null; message: string }[];
}

/**
 * Lints a made-up file at `path` with the workspace's own ESLint config, in a
 * child process (ESLint loads its flat config as an ES module, which jest's VM
 * cannot), and returns the module-boundary complaints.
 */
function lint(path: string, source: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [
        join(workspaceRoot, 'node_modules/eslint/bin/eslint.js'),
        '--stdin',
        '--stdin-filename',
        join(workspaceRoot, path),
        '--format',
        'json',
      ],
      { cwd: workspaceRoot, env: { ...process.env, NX_DAEMON: 'false' } },
      (error, stdout) => {
        try {
          const [result] = JSON.parse(stdout) as LintResult[];
          resolve((result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
        } catch {
          reject(error ?? new Error(`eslint printed no JSON: ${stdout}`));
        }
      },
    );
    child.stdin?.end(source);
  });
}

describe('module boundaries, enforced by lint', () => {
  it('forbids a lib to import an app', async () => {
    const messages = await lint(
      'libs/stores/src/probe.ts',
      "import { createApp } from '../../../apps/policy/src/app';\nexport const probe = createApp;\n",
    );
    expect(messages).toHaveLength(1);
  });

  it('keeps each lib to the libs its type may use (config may use types only)', async () => {
    const messages = await lint(
      'libs/config/src/probe.ts',
      "import { openDatabase } from '@nexus/stores';\nexport const probe = openDatabase;\n",
    );
    expect(messages.join()).toMatch(/type:config.*type:types/);
  });

  it('lets an app use the libs', async () => {
    const messages = await lint(
      'apps/policy/src/probe.ts',
      "import { newId } from '@nexus/service-kit';\nimport { toBaseUnits } from '@nexus/types';\nexport const probe = [newId, toBaseUnits];\n",
    );
    expect(messages).toEqual([]);
  });
});
