import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { LOCAL_PAYEE_ACCOUNTS, LOCAL_TREASURY_ACCOUNT, localAccount } from '@nexus/chain';
import { generateGrantKeyPair } from '@nexus/config';

const secret = () => randomBytes(24).toString('hex');

/** A fresh local environment: new secrets every time, nothing copied from anywhere. */
function freshEnvFile(): string {
  return [
    "# Written by `npm start` because no .env existed. Keep it private: it holds this stack's secrets.",
    '# Every variable is described in .env.example.',
    `INTERNAL_TOKEN=${secret()}`,
    `ADMIN_API_KEY=${secret()}`,
    `AGENT_API_KEYS=user-agent:${secret()},batch-agent:${secret()},ops-agent:${secret()}`,
    `POSTGRES_PASSWORD=${secret()}`,
    ...grantKeyLines(),
    ...localChainKeyLines(),
    'COMPOSE_PROJECT_NAME=mnee-nexus',
    'NEXUS_DATA_DIR=data',
    '',
  ].join('\n');
}

/** A fresh Ed25519 pair: the policy signs each hold's grant with the private key, the payment service checks it with the public one. */
function grantKeyLines(): string[] {
  const { privateKey, publicKey } = generateGrantKeyPair();
  return [
    "# The policy's grant keys (base64 PEM, Ed25519): the private one for the policy only, the public one for the payment service.",
    `POLICY_GRANT_PRIVATE_KEY=${privateKey}`,
    `POLICY_GRANT_PUBLIC_KEY=${publicKey}`,
  ];
}

function localChainKeyLines(): string[] {
  return [
    "# Hardhat's PUBLIC development keys (the treasury, then the providers' payees): for the local chain only; replace them for a real network.",
    `TREASURY_PRIVATE_KEY=${localAccount(LOCAL_TREASURY_ACCOUNT).privateKey}`,
    `PAYEE_PRIVATE_KEYS=${LOCAL_PAYEE_ACCOUNTS.map((index) => localAccount(index).privateKey).join(',')}`,
  ];
}

export interface LoadEnvFileOptions {
  /** write a fresh file when there is none (the default); otherwise a missing file reads as empty */
  create?: boolean;
}

/** Reads `path`, writing a fresh one first when there is none. Values already in the environment win. */
export function loadEnvFile(
  path: string,
  environment: NodeJS.ProcessEnv = process.env,
  { create = true }: LoadEnvFileOptions = {},
): { env: Record<string, string>; created: boolean } {
  const missing = !existsSync(path);
  const created = missing && create;
  if (created) writeFileSync(path, freshEnvFile(), { mode: 0o600 });
  const fromFile = missing && !created ? {} : parseEnv(readFileSync(path, 'utf8'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...fromFile, ...environment })) {
    if (typeof value === 'string') env[key] = value;
  }
  return { env, created };
}

/**
 * A .env written before the local chain existed lacks its keys: append
 * Hardhat's public development keys (nothing secret is touched). Returns
 * true when it did.
 */
export function addLocalChainKeys(path: string): boolean {
  const current = readFileSync(path, 'utf8');
  if (/^TREASURY_PRIVATE_KEY=/m.test(current)) return false;
  writeFileSync(path, `${current.endsWith('\n') ? current : `${current}\n`}${localChainKeyLines().join('\n')}\n`);
  return true;
}

/**
 * A .env written before grants existed lacks the policy's grant keys: append
 * a fresh pair (both, replacing neither half of a pair already there).
 * Returns true when it did.
 */
export function addGrantKeys(path: string): boolean {
  const current = readFileSync(path, 'utf8');
  if (/^POLICY_GRANT_PRIVATE_KEY=|^POLICY_GRANT_PUBLIC_KEY=/m.test(current)) return false;
  writeFileSync(path, `${current.endsWith('\n') ? current : `${current}\n`}${grantKeyLines().join('\n')}\n`);
  return true;
}
