import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');

/** Runs the real entry point (as `nx serve` would, through tsx) and returns what it logged and its exit code. */
function start(configDir: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      NEXUS_CONFIG_DIR: configDir,
      INTERNAL_TOKEN: 'a-long-enough-internal-token',
      NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'policy-data-')),
      POLICY_PORT: '0',
      ...env,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'policy-config-'));
  cpSync(join(root, 'config'), dir, { recursive: true });
  return dir;
}

describe('policy start-up', () => {
  it('stops on a broken YAML file, naming the file and the line', () => {
    const dir = configCopy();
    writeFileSync(join(dir, 'agents.yaml'), 'agents:\n  - id: user-agent\n    priority: [HIGH\n');
    const { status, output } = start(dir);
    expect(status).toBe(1);
    expect(output).toContain('failed to start');
    expect(output).toContain(join(dir, 'agents.yaml'));
    expect(output).toMatch(/is not valid YAML: .*line \d+/);
  });

  it('stops on a schema-invalid file, listing every problem with file and field', () => {
    const dir = configCopy();
    const services = readFileSync(join(dir, 'services.yaml'), 'utf8').replace('price: "0.05"', 'price: 0.05');
    writeFileSync(join(dir, 'services.yaml'), services);
    const policy = readFileSync(join(dir, 'policy.yaml'), 'utf8').replace('ttlSeconds: 120', 'ttlSeconds: -1');
    writeFileSync(join(dir, 'policy.yaml'), policy);
    const { status, output } = start(dir);
    expect(status).toBe(1);
    const logged = JSON.parse(output.split('\n').find((line) => line.includes('failed to start')) ?? '{}');
    expect(logged.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: join(dir, 'services.yaml'), path: 'services.1.variants.0.price' }),
        expect.objectContaining({ source: join(dir, 'policy.yaml'), path: 'policy.holds.ttlSeconds' }),
      ]),
    );
  });

  it('refuses to start without an internal token', () => {
    const { status, output } = start(configCopy(), { INTERNAL_TOKEN: '' });
    expect(status).toBe(1);
    expect(output).toContain('environment variable INTERNAL_TOKEN');
  });
});
