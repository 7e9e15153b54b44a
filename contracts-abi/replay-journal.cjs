// Replays the local chain's journal (libs/chain/src/chain-journal) into the
// Hardhat node's own provider before its JSON-RPC server listens, so no client
// sees (or sends a transaction into) a half-replayed chain: each block is
// mined again with its timestamp, base fee and signed transactions, checked
// by transaction hash. The same steps as replayJournal (replay-journal.ts),
// which does it over HTTP for tests; the journal was validated by the caller.
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

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
  const placedAfter = readPermit2Placement(path);
  await send('evm_setAutomine', [false]);
  try {
    for (const block of blocks) {
      if (block.number === 0) continue;
      if (placedAfter !== undefined && block.number === placedAfter + 1) await placeCanonicalContracts(send);
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
  // placed after the last journaled block: no block covers it yet, ensureLocalChain places it again anyway
  if (placedAfter !== undefined && last && placedAfter >= last.number) await placeCanonicalContracts(send);
  const now = Math.floor(Date.now() / 1000);
  // The next block is stamped now, and the node's clock runs on from there.
  if (last && now > last.timestamp) await send('evm_setNextBlockTimestamp', [quantity(now)]);
}

// Permit2 and the x402 exact Permit2 proxy are placed with hardhat_setCode (libs/chain/src/permit2.ts), which is
// no transaction but changes the state every later block's hash covers: they are placed again after the same
// block as recorded beside the journal (permit2-placement.json, libs/chain/src/chain-journal/permit2-placement.ts).
const CANONICAL_CONTRACTS = [
  ['0x000000000022D473030F116dDEE9F6B43aC78BA3', 'Permit2.json'],
  ['0x402085c248EeA27D92E8b30b2C58ed07f9E20001', 'X402ExactPermit2Proxy.json'],
];

function readPermit2Placement(journalPath) {
  const placement = join(dirname(journalPath), 'permit2-placement.json');
  if (!existsSync(placement)) return undefined;
  const { afterBlock } = JSON.parse(readFileSync(placement, 'utf8'));
  return typeof afterBlock === 'number' ? afterBlock : undefined;
}

async function placeCanonicalContracts(send) {
  for (const [address, artifact] of CANONICAL_CONTRACTS) {
    const { deployedBytecode } = JSON.parse(readFileSync(join(__dirname, artifact), 'utf8'));
    await send('hardhat_setCode', [address, deployedBytecode]);
  }
}

module.exports = { replayJournalFile };
