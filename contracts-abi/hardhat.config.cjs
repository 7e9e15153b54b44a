// The local chain: `hardhat node` (Hardhat 2.x) on chainId 31337 with
// Hardhat's well-known development accounts. Nothing is compiled here; the
// contracts are compiled by tools/contracts/compile.ts with the solc npm package.
/** @type {import('hardhat/config').HardhatUserConfig} */
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      mining: { auto: true },
      loggingEnabled: false,
      // The clock of the genesis block: set when a recorded chain is replayed (see libs/chain/src/chain-journal).
      ...(process.env.NEXUS_CHAIN_GENESIS_DATE ? { initialDate: process.env.NEXUS_CHAIN_GENESIS_DATE } : {}),
    },
  },
};
