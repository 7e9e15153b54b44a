import { localUrl, portOf } from './stack-env';
import { STACK } from './stack-services';

export interface WelcomeOptions {
  env: Record<string, string>;
  envPath: string;
  dataDir: string;
  out: (line: string) => void;
}

/** What `npm start` prints once every service is healthy: where things are and a first paid call to paste. */
export function printWelcome({ env, envPath, dataDir, out }: WelcomeOptions): void {
  const gateway = localUrl(Number(env['GATEWAY_PORT'] || 8000));
  const keyFile = envPath.startsWith(`${process.cwd()}/`) ? envPath.slice(process.cwd().length + 1) : envPath;
  out('');
  out('MNEE Nexus is up.');
  for (const s of STACK) out(`  ${s.project.padEnd(13)} ${localUrl(portOf(s, env))}`);
  out(`  keys: ${envPath} (ADMIN_API_KEY, AGENT_API_KEYS; each service has its own <NAME>_TOKEN, see docs/security.md)`);
  out(`  data: ${dataDir} (stores, chain journal, logs/ of every service)`);
  out(`  API docs: ${gateway}/docs`);
  out(`  operator's console: ${gateway}/dashboard/ (sign in with ADMIN_API_KEY from ${keyFile}, or an agent's key)`);
  out('');
  out('Ask user-agent for a price (the built-in planner needs no LLM key; the call is paid on chain):');
  out(`  KEY=$(grep ^AGENT_API_KEYS= ${keyFile} | sed -E 's/.*user-agent:([^,]*).*/\\1/')`);
  out(`  curl -s -X POST ${gateway}/chat -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\`);
  out(`    -d '{"message":"What is the price of ETH?"}'`);
  out('');
  out('Or use a service directly, without an LLM (a retry with the same Idempotency-Key pays once):');
  out(`  curl -s -X POST ${gateway}/tools/PRICE_ORACLE/invoke -H "Authorization: Bearer $KEY" \\`);
  out(`    -H "Idempotency-Key: demo-$RANDOM" -H 'Content-Type: application/json' -d '{"input":{"base":"ETH"}}'`);
  out('');
  out('The three coordination problems with all three agents: npm run demo. Books agree? npm run reconcile.');
  out('Ctrl-C stops everything.');
}
