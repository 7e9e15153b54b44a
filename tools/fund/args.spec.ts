import { FundUsageError, parseFundArgs } from './args';

const WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

describe('npm run fund arguments', () => {
  it('takes an address and a decimal MNEE amount, in base units, the address checksummed', () => {
    expect(parseFundArgs([WALLET.toLowerCase(), '25'])).toEqual({ help: false, to: WALLET, amount: '25', baseUnits: 25_000_000n });
    expect(parseFundArgs([WALLET, '0.000001'])).toMatchObject({ baseUnits: 1n });
  });

  it('answers --help with the usage', () => {
    expect(parseFundArgs(['--help'])).toEqual({ help: true });
    expect(parseFundArgs([WALLET, '1', '-h'])).toEqual({ help: true });
  });

  it.each([
    [[], /expected an address and an amount, got 0 arguments/],
    [[WALLET], /got 1 argument$/],
    [[WALLET, '1', '2'], /got 3 arguments/],
    [['0x1234', '1'], /"0x1234" is not an Ethereum address/],
    [[WALLET, '1e3'], /must be a decimal string of MNEE/],
    [[WALLET, '-1'], /must not be negative/],
    [[WALLET, '0.0000001'], /has 7 decimal places; at most 6/],
    [[WALLET, '0'], /must be more than 0/],
    [[WALLET, '0.000000'], /must be more than 0/],
    [[WALLET, '1', '--eth'], /unknown option --eth/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseFundArgs(argv)).toThrow(FundUsageError);
    expect(() => parseFundArgs(argv)).toThrow(message);
  });
});
