// Replays the local chain's journal (libs/chain/src/chain-journal) into the
// Hardhat node's own provider before its JSON-RPC server listens, so no client
// sees (or sends a transaction into) a half-replayed chain: each block is
// mined again with its timestamp, base fee and signed transactions, checked
// by transaction hash. The same steps as replayJournal (replay-journal.ts),
// which does it over HTTP for tests; the journal was validated by the caller.
const { readFileSync } = require('node:fs');

const quantity = (value) => `0x${BigInt(value).toString(16)}`;

/** @param {{ request(args: { method: string, params?: unknown[] }): Promise<unknown> }} provider */
async function replayJournalFile(provider, path) {
  const send = (method, params = []) => provider.request({ method, params });
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks = [];
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    try {
      blocks.push(JSON.parse(line));
    } catch (error) {
      if (index === lines.length - 1) break; // a torn final write
      throw new Error(`${path} line ${index + 1} is not JSON`, { cause: error });
    }
  }
  const height = Number(BigInt(await send('eth_blockNumber')));
  if (height !== 0) throw new Error(`the node has mined ${height} blocks already; a journal replays into a fresh node only`);
  await send('evm_setAutomine', [false]);
  try {
    for (const block of blocks) {
      if (block.number === 0) continue;
      if (block.baseFeePerGas !== undefined) await send('hardhat_setNextBlockBaseFeePerGas', [quantity(block.baseFeePerGas)]);
      for (const [index, raw] of block.transactions.entries()) {
        const hash = await send('eth_sendRawTransaction', [raw]);
        if (hash !== block.hashes[index]) throw new Error(`block ${block.number}: transaction ${index} replayed as ${String(hash)}`);
      }
      await send('evm_mine', [quantity(block.timestamp)]);
      const mined = await send('eth_getBlockByNumber', [quantity(block.number), false]);
      const hashes = Array.isArray(mined && mined.transactions) ? mined.transactions : [];
      if (hashes.length !== block.hashes.length || hashes.some((hash, index) => hash !== block.hashes[index])) {
        throw new Error(`block ${block.number} did not replay with the same transactions`);
      }
    }
  } finally {
    await send('evm_setAutomine', [true]);
  }
  const last = blocks.at(-1);
  const now = Math.floor(Date.now() / 1000);
  // The next block is stamped now, and the node's clock runs on from there.
  if (last && now > last.timestamp) await send('evm_setNextBlockTimestamp', [quantity(now)]);
}

module.exports = { replayJournalFile };
