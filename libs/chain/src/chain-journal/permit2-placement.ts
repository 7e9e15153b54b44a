import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where Permit2 and the x402 proxy appeared on a journaled local chain.
 * `hardhat_setCode` is no transaction, so the journal of blocks does not hold
 * it, yet it changes the state every later block's hash covers: a replay must
 * place the code after the same block, or the replayed chain differs from the
 * recorded one. Kept beside the journal as `{ "afterBlock": N }`;
 * contracts-abi/replay-journal.cjs reads it.
 */
export const permit2PlacementPathFor = (deploymentFile: string) => join(dirname(deploymentFile), 'permit2-placement.json');

/** Records that the code was placed when `afterBlock` was the latest block. */
export function writePermit2Placement(deploymentFile: string, afterBlock: number): void {
  const path = permit2PlacementPathFor(deploymentFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ afterBlock })}\n`);
}

/** The recorded placement's block, undefined when none is recorded. */
export function readPermit2Placement(deploymentFile: string): number | undefined {
  const path = permit2PlacementPathFor(deploymentFile);
  if (!existsSync(path)) return undefined;
  const { afterBlock } = JSON.parse(readFileSync(path, 'utf8')) as { afterBlock?: unknown };
  return typeof afterBlock === 'number' ? afterBlock : undefined;
}
