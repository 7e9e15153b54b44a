import { join } from 'node:path';
import { workspaceRoot } from '../stack/build';

/** Where the Solidity sources, the committed artifacts and the generated bindings live. */
export const contractPaths = {
  sources: join(workspaceRoot, 'contracts-abi', 'contracts'),
  artifacts: join(workspaceRoot, 'contracts-abi'),
  bindings: join(workspaceRoot, 'libs', 'chain', 'src', 'generated'),
};
