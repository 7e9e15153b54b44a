import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error';

export type PaymentMode = 'chain' | 'mock';

/** Where the chain is and which contracts to use. */
export type ChainTarget =
  /** the local chain: addresses from the deployment file `npm run chain` writes */
  | { kind: 'local'; rpcUrl: string; deploymentFile: string }
  /** a real network: everything from the environment, nothing deployed */
  | {
      kind: 'configured';
      rpcUrl: string;
      chainId: number;
      tokenAddress: string;
      routerAddress: string;
      /** the treasury's address: providers accept only its payments (the payment service checks its key against it) */
      treasuryAddress?: string;
    };

export interface ChainEnv {
  mode: PaymentMode;
  target: ChainTarget;
  confirmations: number;
  rpcRetry: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  receiptTimeoutMs: number;
}

/** How long a payment waits for its receipt: a 1-confirmation payment on a real chain (12 s blocks) fits with room to spare. */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 45_000;

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
const Count = (min: number) => z.coerce.number().int().min(min);

const NAMES = {
  mode: 'PAYMENT_MODE',
  rpcUrl: 'CHAIN_RPC_URL',
  chainId: 'CHAIN_ID',
  deploymentFile: 'CHAIN_DEPLOYMENT_FILE',
  tokenAddress: 'MNEE_TOKEN_ADDRESS',
  routerAddress: 'PAYMENT_ROUTER_ADDRESS',
  treasuryAddress: 'TREASURY_ADDRESS',
  confirmations: 'PAYMENT_CONFIRMATIONS',
  rpcAttempts: 'CHAIN_RPC_ATTEMPTS',
  rpcBackoffMs: 'CHAIN_RPC_BACKOFF_MS',
  receiptTimeoutMs: 'PAYMENT_RECEIPT_TIMEOUT_MS',
} as const;

const Schema = z.object({
  mode: z.enum(['chain', 'mock']).default('chain'),
  rpcUrl: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8545'),
  chainId: Count(1).optional(),
  deploymentFile: z.string().min(1).optional(),
  tokenAddress: Address.optional(),
  routerAddress: Address.optional(),
  treasuryAddress: Address.optional(),
  confirmations: Count(1).default(1),
  rpcAttempts: Count(1).default(5),
  rpcBackoffMs: Count(0).default(200),
  receiptTimeoutMs: Count(100).default(DEFAULT_RECEIPT_TIMEOUT_MS),
});

/** A real network needs the token, the router and the chain id together. */
function networkProblems(raw: Record<string, string | undefined>): { name: string; message: string }[] {
  const { tokenAddress, routerAddress, chainId } = raw;
  if (!tokenAddress && !routerAddress) return [];
  const problems: { name: string; message: string }[] = [];
  if (!tokenAddress)
    problems.push({ name: NAMES.tokenAddress, message: `is required with ${NAMES.routerAddress} (a real network needs both)` });
  if (!routerAddress)
    problems.push({ name: NAMES.routerAddress, message: `is required with ${NAMES.tokenAddress} (a real network needs both)` });
  if (!chainId) problems.push({ name: NAMES.chainId, message: 'is required when the token and router addresses are configured' });
  return problems;
}

/**
 * The chain settings every service that pays, verifies or refunds reads.
 * Token and router addresses in the environment mean a real network (nothing
 * is deployed); otherwise the local chain's deployment file is used.
 */
export function loadChainEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): ChainEnv {
  const raw = Object.fromEntries(Object.entries(NAMES).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]));
  const result = Schema.safeParse(raw);
  const problems = [
    ...(result.success
      ? []
      : result.error.issues.map((issue) => ({
          name: NAMES[String(issue.path[0]) as keyof typeof NAMES] ?? String(issue.path[0]),
          message: issue.message,
        }))),
    ...networkProblems(raw),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(
      problems.map((problem) => ({ source: `environment variable ${problem.name}`, path: '', message: problem.message })),
    );
  }
  const value = result.data;
  const target: ChainTarget =
    value.tokenAddress && value.routerAddress && value.chainId !== undefined
      ? {
          kind: 'configured',
          rpcUrl: value.rpcUrl,
          chainId: value.chainId,
          tokenAddress: value.tokenAddress,
          routerAddress: value.routerAddress,
          ...(value.treasuryAddress ? { treasuryAddress: value.treasuryAddress } : {}),
        }
      : { kind: 'local', rpcUrl: value.rpcUrl, deploymentFile: resolve(value.deploymentFile ?? join(dataDir, 'chain', 'deployment.json')) };
  return {
    mode: value.mode,
    target,
    confirmations: value.confirmations,
    rpcRetry: { attempts: value.rpcAttempts, initialDelayMs: value.rpcBackoffMs, maxDelayMs: Math.max(value.rpcBackoffMs * 16, 1) },
    receiptTimeoutMs: value.receiptTimeoutMs,
  };
}

/** A private key from the environment: required, never echoed back in an error. */
export function requirePrivateKey(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value)
    throw new ConfigError([
      { source: `environment variable ${name}`, path: '', message: 'is required in chain mode (the key of the wallet that signs)' },
    ]);
  return privateKeyOf(name, value);
}

/** A comma-separated list of private keys, possibly empty; each checked like `requirePrivateKey`'s, none echoed. */
export function optionalPrivateKeys(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean)
    .map((key) => privateKeyOf(name, key));
}

function privateKeyOf(name: string, value: string): string {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(value))
    throw new ConfigError([{ source: `environment variable ${name}`, path: '', message: 'must be a 32-byte hex private key' }]);
  return value.startsWith('0x') ? value : `0x${value}`;
}
