import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { getAddress, isAddress } from 'ethers';
import { z } from 'zod';

export const Address = z
  .string()
  .refine((value) => isAddress(value), 'not an Ethereum address')
  .transform((value) => getAddress(value));

/** What the local chain command deployed, read by the services. */
export const Deployment = z.object({
  chainId: z.number().int().positive(),
  rpcUrl: z.url(),
  token: z.object({ address: Address, name: z.string(), symbol: z.string(), decimals: z.number().int().min(0).max(36) }),
  router: Address,
  treasury: Address,
  deployer: Address,
  blockNumber: z.number().int().nonnegative(),
  deployedAt: z.iso.datetime(),
});
export type Deployment = z.infer<typeof Deployment>;

/** The deployment at `path`, or undefined when there is none; a malformed file throws naming the path. */
export function readDeployment(path: string): Deployment | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = Deployment.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      `${path} is not a valid deployment file: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Writes atomically (temp file + rename), so a reader never sees half a file. */
export function writeDeployment(path: string, deployment: Deployment): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(temporary, path);
}
