import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import solc from 'solc';

/** One compiled contract, as committed under `contracts-abi/`. */
export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  compiler: { version: string; settings: typeof COMPILER_SETTINGS };
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

export const COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
} as const;

/**
 * Compiles every `.sol` file in `sourceDir` with the pinned `solc` npm package
 * (no compiler download). Imports such as `@openzeppelin/...` resolve from
 * node_modules. Throws with solc's messages on any error.
 */
export function compileContracts(sourceDir: string, resolveFrom: string): ContractArtifact[] {
  const files = readdirSync(sourceDir)
    .filter((file) => file.endsWith('.sol'))
    .sort();
  const sources = Object.fromEntries(files.map((file) => [file, { content: readFileSync(join(sourceDir, file), 'utf8') }]));
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...COMPILER_SETTINGS,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const findImports = (path: string): { contents: string } | { error: string } => {
    try {
      return { contents: readFileSync(require.resolve(path, { paths: [resolveFrom] }), 'utf8') };
    } catch {
      return { error: `import not found: ${path}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((entry) => entry.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((entry) => entry.formattedMessage).join('\n')}`);

  return files.map((file) => {
    const contractName = basename(file, '.sol');
    const compiled = output.contracts?.[file]?.[contractName];
    if (!compiled) throw new Error(`${file} does not define a contract named ${contractName}`);
    return {
      contractName,
      sourceName: `contracts/${file}`,
      compiler: { version: solc.version(), settings: COMPILER_SETTINGS },
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
      deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
    };
  });
}
