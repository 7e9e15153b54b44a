import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTypeChain } from 'typechain';
import type { ContractArtifact } from './solidity';

/** Writes one artifact JSON per contract; returns the paths written. */
export function writeArtifacts(artifacts: ContractArtifact[], outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  return artifacts.map((artifact) => {
    const path = join(outDir, `${artifact.contractName}.json`);
    writeFileSync(path, `${JSON.stringify(artifact, null, 2)}\n`);
    return path;
  });
}

/** Generates typed ethers v6 bindings (TypeChain) from artifact files, replacing `outDir`. */
export async function generateBindings(artifactPaths: string[], outDir: string, cwd: string): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  await runTypeChain({ cwd, filesToProcess: artifactPaths, allFiles: artifactPaths, outDir, target: 'ethers-v6' });
}
