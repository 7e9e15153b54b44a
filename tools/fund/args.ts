import { getAddress, isAddress } from 'ethers';
import { moneyProblem, NexusError, toBaseUnits } from '@nexus/types';

export const FUND_USAGE = [
  'usage: npm run fund -- <address> <amount>',
  '',
  'Mints <amount> stand-in MNEE (a decimal string such as "25" or "0.05") to <address>',
  'on the local chain (chain 31337, started by npm run chain), from the account that',
  'deployed the local token. Refused on any other chain.',
].join('\n');

/** The command line is not a fund request; the message says why (the usage follows it). */
export class FundUsageError extends NexusError {
  override readonly name = 'FundUsageError';
}

export type FundArgs = { help: true } | { help: false; to: string; amount: string; baseUnits: bigint };

/** `<address> <amount>`, or `--help`. The amount is a decimal string of MNEE, never a float. */
export function parseFundArgs(argv: readonly string[]): FundArgs {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { help: true };
  const unknown = argv.find((arg) => arg.startsWith('--'));
  if (unknown) throw new FundUsageError(`unknown option ${unknown}`);
  if (argv.length !== 2)
    throw new FundUsageError(`expected an address and an amount, got ${argv.length} argument${argv.length === 1 ? '' : 's'}`);
  const [address = '', amount = ''] = argv;
  if (!isAddress(address)) throw new FundUsageError(`"${address}" is not an Ethereum address`);
  const problem = moneyProblem(amount);
  if (problem) throw new FundUsageError(`the amount "${amount}" ${problem}`);
  const baseUnits = toBaseUnits(amount);
  if (baseUnits === 0n) throw new FundUsageError('the amount must be more than 0');
  return { help: false, to: getAddress(address), amount, baseUnits };
}
