/** `npm run env`: writes .env (or NEXUS_ENV_FILE) with fresh secrets when there is none, and adds the per-service tokens an older one lacks (docker-compose reads it). */
import { resolve } from 'node:path';
import { workspaceRoot } from './build';
import { addServiceTokens, loadEnvFile } from './env-file';

const path = resolve(process.env['NEXUS_ENV_FILE'] || resolve(workspaceRoot, '.env'));
const { created } = loadEnvFile(path);
const added = !created && addServiceTokens(path);
process.stdout.write(
  created
    ? `wrote fresh keys to ${path}\n`
    : added
      ? `added a token for each service to ${path}; the rest is left as it is\n`
      : `${path} already exists; left as it is\n`,
);
