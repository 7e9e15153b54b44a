import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUnits, Wallet } from 'ethers';
import { MNEEToken__factory, writeDeployment } from '@nexus/chain';
import { freePort, startTestChain, type TestChain } from '@nexus/chain/testing';
import { FundRefusedError, fundWallet } from './fund';

describe('npm run fund on a real Hardhat node', () => {
  let chain: TestChain;
  let dir: string;
  let deploymentFile: string;

  beforeAll(async () => {
    chain = await startTestChain();
    dir = mkdtempSync(join(tmpdir(), 'nexus-fund-'));
    deploymentFile = join(dir, 'deployment.json');
    writeDeployment(deploymentFile, chain.deployment);
  }, 60_000);
  afterAll(async () => {
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const balanceOf = (address: string) => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider).balanceOf(address);

  it('mints exactly the amount to a fresh wallet, twice adding up', async () => {
    const wallet = Wallet.createRandom().address;

    const funded = await fundWallet({ rpcUrl: chain.node.url, deploymentFile, to: wallet, baseUnits: 25_500_000n });

    expect(funded).toMatchObject({ token: chain.deployment.token.address, to: wallet, minted: parseUnits('25.5', 18), decimals: 18 });
    expect(await balanceOf(wallet)).toBe(parseUnits('25.5', 18));
    expect(funded.balance).toBe(parseUnits('25.5', 18));
    await fundWallet({ rpcUrl: chain.node.url, deploymentFile, to: wallet, baseUnits: 1n });
    expect(await balanceOf(wallet)).toBe(parseUnits('25.500001', 18));
  });

  it('refuses without a deployment, or one whose token is not on the node, and sends nothing', async () => {
    const wallet = Wallet.createRandom().address;
    await expect(fundWallet({ rpcUrl: chain.node.url, deploymentFile: join(dir, 'none.json'), to: wallet, baseUnits: 1n })).rejects.toThrow(
      /no local deployment at .*none\.json: run npm run chain first/,
    );
    const stale = join(dir, 'stale.json');
    writeDeployment(stale, { ...chain.deployment, token: { ...chain.deployment.token, address: Wallet.createRandom().address } });
    await expect(fundWallet({ rpcUrl: chain.node.url, deploymentFile: stale, to: wallet, baseUnits: 1n })).rejects.toThrow(
      /no token contract at .* is stale, run npm run chain/,
    );
    expect(await balanceOf(wallet)).toBe(0n);
  });

  describe('on any chain but 31337', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      // a node that says it is Ethereum mainnet
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          const { id } = JSON.parse(body) as { id: number };
          response.setHeader('content-type', 'application/json').end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x1' }));
        });
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('refuses with a clear message', async () => {
      const attempt = fundWallet({ rpcUrl: url, deploymentFile, to: Wallet.createRandom().address, baseUnits: 1n });
      await expect(attempt).rejects.toThrow(FundRefusedError);
      await expect(attempt).rejects.toThrow(`${url} is chain 1, not the local chain (31337): npm run fund only mints the stand-in MNEE`);
    });
  });

  it('refuses when nothing answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(fundWallet({ rpcUrl: url, deploymentFile, to: Wallet.createRandom().address, baseUnits: 1n })).rejects.toThrow(
      `nothing answers JSON-RPC at ${url}: start the local chain with npm run chain`,
    );
  });
});
