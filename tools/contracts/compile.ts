/**
 * npm run contracts:compile — compiles contracts-abi/contracts/*.sol with the
 * pinned solc npm package, writes ABI + bytecode JSON into contracts-abi/ and
 * regenerates the typed ethers bindings in libs/chain/src/generated/.
 * Commit what it writes: nothing compiles at run time.
 */
import { relative } from 'node:path';
import { workspaceRoot } from '../stack/build';
import { generateBindings, writeArtifacts } from './bindings';
import { contractPaths } from './paths';
import { compileContracts } from './solidity';

async function main(): Promise<void> {
  const artifacts = compileContracts(contractPaths.sources, workspaceRoot);
  const written = writeArtifacts(artifacts, contractPaths.artifacts);
  await generateBindings(written, contractPaths.bindings, workspaceRoot);
  process.stdout.write(
    `compiled ${artifacts.map((a) => a.contractName).join(', ')} → ${relative(workspaceRoot, contractPaths.artifacts)}/, bindings → ${relative(workspaceRoot, contractPaths.bindings)}/\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
