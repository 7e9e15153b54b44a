import { Wallet } from 'ethers';
import { devAccountProblems, hardhatAccountOf, localAccount } from './local-accounts';

describe("Hardhat's well-known development accounts", () => {
  const treasury = localAccount(0);
  const payee = localAccount(1);

  it('are recognised by key (with or without 0x) and by address, in any case, up to account 19', () => {
    expect(hardhatAccountOf(treasury.privateKey)).toBe(0);
    expect(hardhatAccountOf(treasury.privateKey.slice(2).toUpperCase())).toBe(0);
    expect(hardhatAccountOf(payee.address.toLowerCase())).toBe(1);
    expect(hardhatAccountOf(localAccount(19).address)).toBe(19);
    expect(hardhatAccountOf(Wallet.createRandom().privateKey)).toBeUndefined();
  });

  it('are refused on any chain but 31337, naming where each is set and never echoing it', () => {
    const settings = [
      { source: 'environment variable TREASURY_PRIVATE_KEY', path: '', value: treasury.privateKey },
      { source: 'services.yaml', path: 'services.0.payee', value: payee.address },
      { source: 'environment variable PAYEE_PRIVATE_KEYS', path: '', value: Wallet.createRandom().privateKey },
    ];
    const problems = devAccountProblems(1, settings);
    expect(problems).toEqual([
      {
        source: 'environment variable TREASURY_PRIVATE_KEY',
        path: '',
        message:
          "is Hardhat's public development account #0, whose key anyone has: refused on chain 1 (only the local chain 31337 may use it)",
      },
      { source: 'services.yaml', path: 'services.0.payee', message: expect.stringContaining('account #1') },
    ]);
    expect(JSON.stringify(problems)).not.toContain(treasury.privateKey.slice(2));
    expect(devAccountProblems(31337, settings)).toEqual([]);
  });
});
