import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { workspaceRoot } from '../stack/build';
import { generateBindings, writeArtifacts } from './bindings';
import { contractPaths } from './paths';
import { compileContracts } from './solidity';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('committed contract artifacts', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nexus-contracts-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('match a fresh compile of contracts-abi/contracts (run npm run contracts:compile when they do not)', async () => {
    const artifacts = compileContracts(contractPaths.sources, workspaceRoot);
    const written = writeArtifacts(artifacts, join(scratch, 'abi'));
    for (const path of written) {
      const name = relative(join(scratch, 'abi'), path);
      expect({ name, content: readFileSync(join(contractPaths.artifacts, name), 'utf8') }).toEqual({
        name,
        content: readFileSync(path, 'utf8'),
      });
    }
    expect(
      readdirSync(contractPaths.artifacts)
        .filter((file) => file.endsWith('.json'))
        .sort(),
    ).toEqual(written.map((path) => relative(join(scratch, 'abi'), path)).sort());

    await generateBindings(written, join(scratch, 'bindings'), workspaceRoot);
    const fresh = filesUnder(join(scratch, 'bindings'));
    expect(filesUnder(contractPaths.bindings)).toEqual(fresh);
    for (const file of fresh) {
      expect({ file, content: readFileSync(join(contractPaths.bindings, file), 'utf8') }).toEqual({
        file,
        content: readFileSync(join(scratch, 'bindings', file), 'utf8'),
      });
    }
  }, 60_000);
});
