import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from './build';

/** Every project's name and tags, read from its project.json. */
function projects(): { name: string; tags: string[] }[] {
  const dirs = [
    ...readdirSync(join(workspaceRoot, 'apps')).map((name) => `apps/${name}`),
    ...readdirSync(join(workspaceRoot, 'libs')).map((name) => `libs/${name}`),
    'tools',
  ];
  return dirs.map((dir) => JSON.parse(readFileSync(join(workspaceRoot, dir, 'project.json'), 'utf8')) as { name: string; tags: string[] });
}

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

  it('gives every project one scope, and every scope a rule of its own', () => {
    const config = readFileSync(join(workspaceRoot, 'eslint.config.mjs'), 'utf8');
    for (const { name, tags } of projects()) {
      const scopes = tags.filter((tag) => tag.startsWith('scope:'));
      expect({ name, scopes: scopes.length }).toEqual({ name, scopes: 1 });
      expect({ name, rule: config.includes(`sourceTag: '${scopes[0]}'`) }).toEqual({ name, rule: true });
    }
  });

  it.each(['policy', 'payment', 'logger'])('keeps the core service %s off the provider kit (scope rule)', async (service) => {
    const messages = await lint(
      `apps/${service}/src/probe.ts`,
      "import { runProvider } from '@nexus/provider-kit';\nexport const probe = runProvider;\n",
    );
    expect(messages.join()).toMatch(new RegExp(`scope:${service}.*scope:shared`));
  });

  it('lets a provider use the provider kit and the shared libs', async () => {
    const messages = await lint(
      'apps/image-gen/src/probe.ts',
      "import { runProvider } from '@nexus/provider-kit';\nimport { migrate } from '@nexus/stores';\nexport const probe = [runProvider, migrate];\n",
    );
    expect(messages).toEqual([]);
  });

  it('lets the gateway use the provider kit (its tests stand up providers) and the clients', async () => {
    const messages = await lint(
      'apps/gateway/src/probe.ts',
      "import { startTestPaymentNetwork } from '@nexus/provider-kit';\nimport { PolicyClient } from '@nexus/clients';\nexport const probe = [startTestPaymentNetwork, PolicyClient];\n",
    );
    expect(messages).toEqual([]);
  });

  it('lets an app use the libs', async () => {
    const messages = await lint(
      'apps/policy/src/probe.ts',
      "import { newId } from '@nexus/service-kit';\nimport { toBaseUnits } from '@nexus/types';\nexport const probe = [newId, toBaseUnits];\n",
    );
    expect(messages).toEqual([]);
  });
});
