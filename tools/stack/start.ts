/**
 * `npm start`: writes .env when missing, builds the services, starts them with
 * prefixed logs, waits for every health check, prints how to call them, and
 * stops them all cleanly on Ctrl-C (or when one of them dies).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { buildApps, bundlePath, workspaceRoot as root } from './build';
import { loadEnvFile } from './env-file';
import { STACK, type StackService } from './stack-services';
import { waitHealthy } from './wait-healthy';

const out = (line: string) => process.stdout.write(`${line}\n`);
const children = new Map<string, ChildProcess>();
let stopping = false;

function launch(service: StackService, env: Record<string, string>): void {
  const child = spawn(process.execPath, ['--enable-source-maps', bundlePath(service.project)], {
    cwd: root,
    env: { ...env, [service.portEnv]: env[service.portEnv] ?? String(service.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(service.project, child);
  const prefix = `[${service.project.padEnd(13)}]`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => out(`${prefix} ${line}`));
  }
  child.on('exit', (code, signal) => {
    children.delete(service.project);
    if (!stopping) {
      out(`${prefix} exited (${signal ?? `code ${code}`}); stopping the stack`);
      void stop(1);
    }
  });
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const running = [...children.values()];
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((done) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  out('stack stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  const envPath = resolve(root, '.env');
  const { env, created } = loadEnvFile(envPath);
  out(created ? `wrote fresh keys to ${envPath}` : `using keys from ${envPath}`);
  out(`building ${STACK.map((s) => s.project).join(', ')}...`);
  buildApps(STACK.map((s) => s.project));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const service of STACK) launch(service, env);
  await Promise.all(STACK.map((s) => waitHealthy(`http://127.0.0.1:${env[s.portEnv] ?? s.port}/health`, 60_000, () => stopping)));
  const policyPort = env['POLICY_PORT'] ?? '8005';
  out('');
  out('MNEE Nexus is up.');
  for (const s of STACK) out(`  ${s.project.padEnd(13)} http://127.0.0.1:${env[s.portEnv] ?? s.port}`);
  out(`  keys and settings: ${envPath} (INTERNAL_TOKEN guards the internal services)`);
  out('');
  out('Try a policy decision:');
  out(`  curl -s -X POST http://127.0.0.1:${policyPort}/decisions \\`);
  out(`    -H "Authorization: Bearer $(grep ^INTERNAL_TOKEN= .env | cut -d= -f2)" -H 'Content-Type: application/json' \\`);
  out(`    -d '{"agentId":"user-agent","serviceId":"PRICE_ORACLE","idempotencyKey":"demo-1"}'`);
  out('');
  out('Ctrl-C stops everything.');
}

main().catch((error: unknown) => {
  out(`start failed: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
