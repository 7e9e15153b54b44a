// The local chain: `hardhat node` (Hardhat 2.x) on chainId 31337 with
// Hardhat's well-known development accounts. Nothing is compiled here; the
// contracts are compiled by tools/contracts/compile.ts with the solc npm package.
const { subtask } = require('hardhat/config');
const { TASK_NODE_GET_PROVIDER } = require('hardhat/builtin-tasks/task-names');

// A node started over a recorded chain replays its journal before it listens (see replay-journal.cjs).
if (process.env.NEXUS_CHAIN_REPLAY_FILE) {
  const journal = process.env.NEXUS_CHAIN_REPLAY_FILE;
  subtask(TASK_NODE_GET_PROVIDER).setAction(async (args, _hre, runSuper) => {
    const provider = await runSuper(args);
    await require('./replay-journal.cjs').replayJournalFile(provider, journal);
    return provider;
  });
}

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
