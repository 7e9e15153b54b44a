/**
 * `npm run fund -- <address> <amount>`: mints stand-in MNEE to a wallet on
 * the local chain, so that anybody can try paying our providers (x402 or the
 * native proof) from a wallet of their own. Local chain (31337) only: the
 * minting key is Hardhat's public account #0, which deployed the token.
 *
 * Settings come from the environment and the .env file (NEXUS_ENV_FILE, or
 * .env at the repository root), which is read but never written: the node at
 * CHAIN_RPC_URL and the deployment at CHAIN_DEPLOYMENT_FILE, as npm run chain.
 */
import { resolve } from 'node:path';
import { formatUnits } from 'ethers';
import { loadChainEnv } from '@nexus/config';
import { fromBaseUnits } from '@nexus/types';
import { workspaceRoot } from '../stack/build';
import { loadEnvFile } from '../stack/env-file';
import { FUND_USAGE, FundUsageError, parseFundArgs } from './args';
import { fundWallet } from './fund';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  let args;
  try {
    args = parseFundArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof FundUsageError)) throw error;
    process.stderr.write(`fund: ${error.message}\n\n${FUND_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    out(FUND_USAGE);
    return 0;
  }
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(workspaceRoot, '.env'));
  const { env } = loadEnvFile(envPath, process.env, { create: false });
  const chain = loadChainEnv(env['NEXUS_DATA_DIR'] || 'data', env);
  if (chain.target.kind !== 'local') {
    throw new Error(
      `CHAIN_ID, MNEE_TOKEN_ADDRESS and PAYMENT_ROUTER_ADDRESS are set (chain ${chain.target.chainId}): npm run fund only mints the ` +
        'stand-in MNEE of the local chain (31337), never on a real network. Unset them to use the local chain.',
    );
  }
  const funded = await fundWallet({
    rpcUrl: chain.target.rpcUrl,
    deploymentFile: chain.target.deploymentFile,
    to: args.to,
    baseUnits: args.baseUnits,
  });
  out(`minted ${fromBaseUnits(args.baseUnits)} MNEE to ${funded.to} (tx ${funded.txHash})`);
  out(`  token    ${funded.token} on ${chain.target.rpcUrl} (chain 31337)`);
  out(`  balance  ${formatUnits(funded.balance, funded.decimals)} MNEE`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fund failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
