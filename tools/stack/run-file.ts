import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** What `npm start` is running right now: data/run/stack.json, removed when it stops. */
export const RunFile = z.object({
  /** the `npm start` process */
  pid: z.number().int(),
  services: z.array(
    z.object({
      project: z.string(),
      /** null while the service is being started again */
      pid: z.number().int().nullable(),
      port: z.number().int(),
      /** times it was started again after dying */
      restarts: z.number().int(),
    }),
  ),
});
export type RunFile = z.infer<typeof RunFile>;

export const runFilePath = (dataDir: string) => join(dataDir, 'run', 'stack.json');

export function writeRunFile(dataDir: string, content: RunFile): void {
  const path = runFilePath(dataDir);
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function readRunFile(dataDir: string): RunFile {
  return RunFile.parse(JSON.parse(readFileSync(runFilePath(dataDir), 'utf8')));
}

export function removeRunFile(dataDir: string): void {
  rmSync(runFilePath(dataDir), { force: true });
}
