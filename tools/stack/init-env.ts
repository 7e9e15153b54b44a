/** `npm run env`: writes .env (or NEXUS_ENV_FILE) with fresh secrets when there is none, and adds what an older one lacks: the per-service tokens and the signing key pairs (docker-compose reads it). */
import { resolve } from 'node:path';
import { workspaceRoot } from './build';
import { SIGNING_KEY_PAIRS } from '@nexus/config';
import { addServiceTokens, addSigningKeys, loadEnvFile } from './env-file';

const path = resolve(process.env['NEXUS_ENV_FILE'] || resolve(workspaceRoot, '.env'));
const { created } = loadEnvFile(path);
const addedTokens = !created && addServiceTokens(path);
const addedKeys = created ? [] : addSigningKeys(path);
const added = [
  addedTokens && 'a token for each service',
  ...addedKeys.map((pair) => `a fresh pair of ${SIGNING_KEY_PAIRS[pair].signer}'s keys for ${SIGNING_KEY_PAIRS[pair].signs}`),
].filter(Boolean);
process.stdout.write(
  created
    ? `wrote fresh keys to ${path}\n`
    : added.length > 0
      ? `added ${added.join(' and ')} to ${path}; the rest is left as it is\n`
      : `${path} already exists; left as it is\n`,
);
