import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv, root, type StackSettings } from './stack-process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the repository's commands (`npm run reconcile`, `npm run demo`, `npm run fund`, `npm run demo:x402`: tools/<name>/main.ts) against the stack, as a user would. */
export function runTool(
  name: 'reconcile' | 'demo' | 'fund' | 'x402-demo',
  settings: StackSettings,
  args: readonly string[] = [],
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'tools', name, 'main.ts'), ...args], {
      cwd: root,
      env: childEnv(settings),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
