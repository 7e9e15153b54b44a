/** `npm run env`: writes .env with fresh secrets when there is none (docker-compose reads it); adds what an older one lacks. */
import { resolve } from 'node:path';
import { workspaceRoot } from './build';
import { addGrantKeys, loadEnvFile } from './env-file';

const path = resolve(workspaceRoot, '.env');
const { created } = loadEnvFile(path);
if (created) process.stdout.write(`wrote fresh keys to ${path}\n`);
else if (addGrantKeys(path)) process.stdout.write(`added a fresh pair of the policy's grant keys to ${path}\n`);
else process.stdout.write(`${path} already exists; left as it is\n`);
