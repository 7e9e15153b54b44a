/** `npm run env`: writes .env with fresh secrets when there is none (docker-compose reads it). */
import { resolve } from 'node:path';
import { workspaceRoot } from './build';
import { loadEnvFile } from './env-file';

const path = resolve(workspaceRoot, '.env');
const { created } = loadEnvFile(path);
process.stdout.write(created ? `wrote fresh keys to ${path}\n` : `${path} already exists; left as it is\n`);
