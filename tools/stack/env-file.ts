import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { LOCAL_PAYEE_ACCOUNTS, LOCAL_TREASURY_ACCOUNT, localAccount } from '@nexus/chain';
import { SIGNING_KEY_PAIRS, generateSigningKeyPair, type SigningKeyPair } from '@nexus/config';
import { SERVICE_CALLERS, callerDigestEnv, callerTokenEnv, formatAgentApiKeys, type ServiceCaller } from '@nexus/types';

const secret = () => randomBytes(24).toString('hex');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A fresh token for `caller`, and its hash (what the services it calls hold). */
const tokenLines = (caller: ServiceCaller): string[] => {
  const token = secret();
  return [`${callerTokenEnv(caller)}=${token}`, `${callerDigestEnv(caller)}=${sha256(token)}`];
};

function serviceTokenLines(callers: readonly ServiceCaller[] = SERVICE_CALLERS): string[] {
  return [
    "# Each process's own bearer token, and its sha256: a service holds only the hashes of the callers it accepts.",
    '# `npm start` derives the hashes from the tokens; docker-compose hands the hash lines to the services.',
    ...callers.flatMap(tokenLines),
  ];
}

/** A fresh local environment: new secrets every time, nothing copied from anywhere. */
function freshEnvFile(): string {
  return [
    "# Written by `npm start` because no .env existed. Keep it private: it holds this stack's secrets.",
    '# Every variable is described in .env.example.',
    ...serviceTokenLines(),
    `ADMIN_API_KEY=${secret()}`,
    `AGENT_API_KEYS=${formatAgentApiKeys({ 'user-agent': secret(), 'batch-agent': secret(), 'ops-agent': secret() })}`,
    `POSTGRES_PASSWORD=${secret()}`,
    ...signingKeyLines('grant'),
    ...signingKeyLines('receipt'),
    '# One PostgreSQL role per service (docker-compose), each owning its own database only.',
    ...DATABASE_ROLES.map((role) => `${role}_DB_PASSWORD=${secret()}`),
    ...localChainKeyLines(),
    'COMPOSE_PROJECT_NAME=mnee-nexus',
    'NEXUS_DATA_DIR=data',
    '',
  ].join('\n');
}

/** A fresh Ed25519 pair for each signer: the policy's grant keys, the payment service's receipt keys. */
function signingKeyLines(pair: SigningKeyPair): string[] {
  const { privateName, publicName, signer, signs } = SIGNING_KEY_PAIRS[pair];
  const { privateKey, publicKey } = generateSigningKeyPair();
  return [
    `# ${signer}'s keys for ${signs} (base64 PEM, Ed25519): the private one for ${signer} only, the public one for whoever checks them.`,
    `${privateName}=${privateKey}`,
    `${publicName}=${publicKey}`,
  ];
}

function localChainKeyLines(): string[] {
  return [
    "# Hardhat's PUBLIC development keys (the treasury, then the providers' payees): for the local chain only; replace them for a real network.",
    `TREASURY_PRIVATE_KEY=${localAccount(LOCAL_TREASURY_ACCOUNT).privateKey}`,
    `PAYEE_PRIVATE_KEYS=${LOCAL_PAYEE_ACCOUNTS.map((index) => localAccount(index).privateKey).join(',')}`,
    // services.yaml's providers in order, each with its own payee key (docker-compose gives each only its own)
    ...LOCAL_PROVIDER_KEY_NAMES.map((name, index) => `${name}=${localAccount(LOCAL_PAYEE_ACCOUNTS[index] ?? 0).privateKey}`),
  ];
}

/** The providers' own payee key variables, in the order of config/services.yaml (Hardhat accounts #1-#4). */
const LOCAL_PROVIDER_KEY_NAMES = [
  'IMAGE_GEN_PAYEE_PRIVATE_KEY',
  'PRICE_ORACLE_PAYEE_PRIVATE_KEY',
  'BATCH_COMPUTE_PAYEE_PRIVATE_KEY',
  'LOG_ARCHIVE_PAYEE_PRIVATE_KEY',
];

/** The services with a PostgreSQL role and database of their own in docker-compose (`<ROLE>_DB_PASSWORD`). */
export const DATABASE_ROLES = [
  'POLICY',
  'PAYMENT',
  'LOGGER',
  'IMAGE_GEN',
  'PRICE_ORACLE',
  'BATCH_COMPUTE',
  'LOG_ARCHIVE',
  'GATEWAY',
] as const;

/**
 * A .env written before each service had its own token lacks them: append a
 * fresh token (and its hash) for every caller that has none. Returns true
 * when it did.
 */
export function addServiceTokens(path: string): boolean {
  const current = readFileSync(path, 'utf8');
  const missing = SERVICE_CALLERS.filter((caller) => !new RegExp(`^${callerTokenEnv(caller)}=`, 'm').test(current));
  if (missing.length === 0) return false;
  writeFileSync(path, `${current.endsWith('\n') ? current : `${current}\n`}${serviceTokenLines(missing).join('\n')}\n`);
  return true;
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
 * A .env written before a pair of signing keys existed (the policy's grant
 * keys, the payment service's receipt keys) lacks it: append a fresh pair
 * (both, replacing neither half of a pair already there). Returns the pairs
 * it added.
 */
export function addSigningKeys(path: string): SigningKeyPair[] {
  const added: SigningKeyPair[] = [];
  for (const pair of Object.keys(SIGNING_KEY_PAIRS) as SigningKeyPair[]) {
    const current = readFileSync(path, 'utf8');
    const { privateName, publicName } = SIGNING_KEY_PAIRS[pair];
    if (new RegExp(`^(${privateName}|${publicName})=`, 'm').test(current)) continue;
    writeFileSync(path, `${current.endsWith('\n') ? current : `${current}\n`}${signingKeyLines(pair).join('\n')}\n`);
    added.push(pair);
  }
  return added;
}
