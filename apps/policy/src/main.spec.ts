import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestGrantIssuer } from '@nexus/clients/testing';
import { testCredentialEnv, runServiceToExit } from '@nexus/service-kit/testing';
import { CALLERS_ACCEPTED_BY } from '@nexus/types';

const root = join(__dirname, '../../..');

const entry = ['--import', 'tsx', join(__dirname, 'main.ts')];
const policyKeys = new TestGrantIssuer();
const baseEnv = (configDir: string, env: Record<string, string>) => ({
  PATH: process.env['PATH'] ?? '',
  NEXUS_CONFIG_DIR: configDir,
  ...testCredentialEnv('policy', CALLERS_ACCEPTED_BY.policy),
  NEXUS_DATA_DIR: mkdtempSync(join(tmpdir(), 'policy-data-')),
  POLICY_PORT: '0',
  ...policyKeys.policyEnv,
  ...env,
});

/** Runs the real entry point (through tsx) to its end and returns what it logged and its exit code. */
function start(configDir: string, env: Record<string, string> = {}) {
  const result = runServiceToExit({ app: 'policy', env: baseEnv(configDir, env) });
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

  it('refuses to start without its own token, or without the token hash of a caller it accepts', () => {
    const { status, output } = start(configCopy(), { POLICY_TOKEN: '', GATEWAY_TOKEN_SHA256: '' });
    expect(status).toBe(1);
    expect(output).toContain('environment variable POLICY_TOKEN');
    expect(output).toContain('environment variable GATEWAY_TOKEN_SHA256');
  });

  it('refuses to start without its grant signing key, or with a public key in its place', () => {
    const missing = start(configCopy(), { POLICY_GRANT_PRIVATE_KEY: '' });
    expect(missing.status).toBe(1);
    expect(missing.output).toContain('environment variable POLICY_GRANT_PRIVATE_KEY');

    const publicKey = start(configCopy(), { POLICY_GRANT_PRIVATE_KEY: policyKeys.paymentEnv['POLICY_GRANT_PUBLIC_KEY'] ?? '' });
    expect(publicKey.status).toBe(1);
    expect(publicKey.output).toMatch(/environment variable POLICY_GRANT_PRIVATE_KEY.*PKCS8/);
  });

  it('refuses to start a second instance on the same SQLite data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'policy-data-'));
    const first = spawn(process.execPath, entry, { cwd: root, env: baseEnv(join(root, 'config'), { NEXUS_DATA_DIR: dataDir }) });
    try {
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        first.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('policy service ready')) resolve();
        });
        first.once('exit', () => reject(new Error(`first instance exited: ${seen}`)));
      });
      const second = start(join(root, 'config'), { NEXUS_DATA_DIR: dataDir });
      expect(second.status).toBe(1);
      expect(second.output).toContain(`${join(dataDir, 'policy.sqlite')} is in use by another process`);
    } finally {
      const exited = new Promise((resolve) => first.once('exit', resolve));
      first.kill('SIGTERM');
      await exited;
    }
  });
});
