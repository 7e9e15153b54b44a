import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaxUint256, Wallet, parseUnits } from 'ethers';
import {
  connectRpc,
  LOCAL_CHAIN_ID,
  localAccount,
  MNEEToken__factory,
  PERMIT2_ADDRESS,
  Permit2__factory,
  readDeployment,
  rpcChainId,
  startHardhatNode,
  type Deployment,
  type HardhatNode,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
} from '@nexus/chain';
import { freePort } from '@nexus/chain/testing';
import { workspaceRoot } from '../stack/build';
import { ensureLocalChain } from './local-chain';

const scratch = () => mkdtempSync(join(tmpdir(), 'nexus-chain-'));

describe('ensureLocalChain, against a real Hardhat node', () => {
  let node: HardhatNode;
  let deploymentFile: string;
  const lines: string[] = [];
  const ensure = (file = deploymentFile) => ensureLocalChain({ rpcUrl: node.url, deploymentFile: file, log: (line) => lines.push(line) });
  const withProvider = async <T>(use: (provider: ReturnType<typeof connectRpc>) => Promise<T>): Promise<T> => {
    const provider = connectRpc(node.url, LOCAL_CHAIN_ID);
    try {
      return await use(provider);
    } finally {
      provider.destroy();
    }
  };

  beforeAll(async () => {
    node = await startHardhatNode({ port: await freePort() });
    deploymentFile = join(scratch(), 'chain', 'deployment.json');
  }, 60_000);
  afterAll(() => node?.stop());

  it('deploys on the first call, funds the treasury with 1,000,000 MNEE and has the treasury and payees approve the router', async () => {
    const { deployment, deployed } = await ensure();

    expect(deployed).toBe(true);
    expect(readDeployment(deploymentFile)).toEqual(deployment);
    expect(deployment).toMatchObject({
      chainId: 31337,
      rpcUrl: node.url,
      token: { name: 'MNEE (local)', symbol: 'MNEE', decimals: 18 },
      treasury: localAccount(0).address,
      deployer: localAccount(0).address,
    });
    await withProvider(async (provider) => {
      const token = MNEEToken__factory.connect(deployment.token.address, provider);
      expect(await token.balanceOf(deployment.treasury)).toBe(parseUnits('1000000', 18));
      for (const index of [0, 1, 2, 3, 4]) {
        expect(await token.allowance(localAccount(index).address, deployment.router)).toBe(MaxUint256);
      }
      expect(await token.allowance(localAccount(5).address, deployment.router)).toBe(0n);
      // the Permit2 path of x402: Permit2 and the x402 proxy at their canonical addresses
      expect(await provider.getCode(PERMIT2_ADDRESS)).not.toBe('0x');
      expect(await provider.getCode(X402_EXACT_PERMIT2_PROXY_ADDRESS)).not.toBe('0x');
      expect(await Permit2__factory.connect(PERMIT2_ADDRESS, provider).nonceBitmap(deployment.treasury, 0n)).toBe(0n);
    });
  });

  it('places Permit2 and the x402 proxy again on a live deployment that lacks them (setCode is not replayed from a journal)', async () => {
    await withProvider(async (provider) => {
      for (const address of [PERMIT2_ADDRESS, X402_EXACT_PERMIT2_PROXY_ADDRESS]) await provider.send('hardhat_setCode', [address, '0x']);
    });
    const blockBefore = await withProvider((provider) => provider.getBlockNumber());

    const { deployed } = await ensure();

    expect(deployed).toBe(false);
    await withProvider(async (provider) => {
      expect(await provider.getCode(PERMIT2_ADDRESS)).not.toBe('0x');
      expect(await provider.getCode(X402_EXACT_PERMIT2_PROXY_ADDRESS)).not.toBe('0x');
      expect(await provider.getBlockNumber()).toBe(blockBefore);
    });
  });

  it('keeps a deployment whose contracts are on the node: same addresses, not one transaction sent', async () => {
    const first = readDeployment(deploymentFile);
    const blockBefore = await withProvider((provider) => provider.getBlockNumber());

    const { deployment, deployed } = await ensure();

    expect(deployed).toBe(false);
    expect(deployment).toEqual(first);
    expect(await withProvider((provider) => provider.getBlockNumber())).toBe(blockBefore);
    expect(lines.at(-1)).toMatch(/nothing new to deploy/);
  });

  it('deploys afresh when the recorded router has no code on the node', async () => {
    const recorded = readDeployment(deploymentFile) as Deployment;
    const nowhere = Wallet.createRandom().address;
    writeFileSync(deploymentFile, JSON.stringify({ ...recorded, router: nowhere }));

    const { deployment, deployed } = await ensure();

    expect(deployed).toBe(true);
    expect(deployment.router).not.toBe(nowhere);
    expect(readDeployment(deploymentFile)).toEqual(deployment);
    expect(await withProvider((provider) => provider.getCode(deployment.router))).not.toBe('0x');
    expect(lines.join('\n')).toContain(`no router contract at ${nowhere}`);
  });

  it('deploys again after the node restarts, since a Hardhat node forgets everything', async () => {
    const before = readDeployment(deploymentFile) as Deployment;
    await node.stop();
    node = await startHardhatNode({ port: node.port });
    expect(await withProvider((provider) => provider.getCode(before.token.address))).toBe('0x');

    const { deployment, deployed } = await ensure();

    expect(deployed).toBe(true);
    await withProvider(async (provider) => {
      expect(await provider.getCode(deployment.token.address)).not.toBe('0x');
      const token = MNEEToken__factory.connect(deployment.token.address, provider);
      expect(await token.balanceOf(deployment.treasury)).toBe(parseUnits('1000000', 18));
    });
  }, 60_000);

  it('refuses a malformed deployment file, naming it, and leaves it alone', async () => {
    const file = join(scratch(), 'deployment.json');
    for (const text of ['{"chainId": 31337', JSON.stringify({ chainId: 31337, router: 'not an address' })]) {
      writeFileSync(file, text);
      await expect(ensure(file)).rejects.toThrow(`${file} is not a valid deployment file`);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('refuses to deploy to any chain but the local one', async () => {
    const mainnet = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: '0x1' }));
    });
    await new Promise<void>((resolve) => mainnet.listen(0, '127.0.0.1', resolve));
    const address = mainnet.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const file = join(scratch(), 'deployment.json');
    try {
      await expect(ensureLocalChain({ rpcUrl: `http://127.0.0.1:${port}`, deploymentFile: file })).rejects.toThrow(
        /is chain 1, not the local chain \(31337\); nothing is ever deployed to a real network/,
      );
      expect(existsSync(file)).toBe(false);
    } finally {
      mainnet.close();
    }
  });

  it('says so when nothing answers', async () => {
    const rpcUrl = `http://127.0.0.1:${await freePort()}`;
    await expect(ensureLocalChain({ rpcUrl, deploymentFile: join(scratch(), 'deployment.json') })).rejects.toThrow(
      `nothing answers JSON-RPC at ${rpcUrl}`,
    );
  });
});

describe('npm run chain (tools/chain/up.ts)', () => {
  const CHAIN_VARIABLES = [
    'PAYMENT_MODE',
    'CHAIN_RPC_URL',
    'CHAIN_ID',
    'CHAIN_DEPLOYMENT_FILE',
    'CHAIN_LISTEN_HOST',
    'MNEE_TOKEN_ADDRESS',
    'PAYMENT_ROUTER_ADDRESS',
    'NEXUS_ENV_FILE',
    'NEXUS_DATA_DIR',
  ];

  /** Everything the command needs in a scratch directory, so the repository's .env and data/ stay untouched. */
  async function setting() {
    const dir = scratch();
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CHAIN_VARIABLES) delete env[name];
    Object.assign(env, {
      CHAIN_RPC_URL: `http://127.0.0.1:${port}`,
      NEXUS_DATA_DIR: join(dir, 'data'),
      NEXUS_ENV_FILE: join(dir, '.env'),
    });
    return { dir, port, env, url: `http://127.0.0.1:${port}`, deploymentFile: join(dir, 'data', 'chain', 'deployment.json') };
  }

  /** Resolves with the output so far once `pattern` shows up in it. */
  function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    let text = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
      const collect = (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (pattern.test(text)) {
          clearTimeout(timer);
          resolve(text);
        }
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before ${pattern}:\n${text}`));
      });
    });
  }

  /** Processes (Linux /proc) running a Hardhat node on `port`. */
  function hardhatNodesOn(port: number): string[] {
    if (!existsSync('/proc')) return [];
    const found: string[] = [];
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        if (cmdline.includes('hardhat') && cmdline.includes(`--port ${port}`)) found.push(`${pid}: ${cmdline}`);
      } catch {
        // gone meanwhile
      }
    }
    return found;
  }

  async function expectNoNodeLeft(port: number, url: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (hardhatNodesOn(port).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(hardhatNodesOn(port)).toEqual([]);
    expect(await rpcChainId(url)).toBeUndefined();
  }

  it('starts a node, deploys, records the deployment, and stops the node with itself on SIGTERM', async () => {
    const { dir, port, env, url, deploymentFile } = await setting();
    const child = spawn(process.execPath, ['--import', 'tsx', join(workspaceRoot, 'tools/chain/up.ts')], {
      cwd: workspaceRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    try {
      const output = await waitForOutput(child, /Ctrl-C stops the node/);
      expect(await rpcChainId(url)).toBe(31337);
      const deployment = readDeployment(deploymentFile);
      expect(deployment?.rpcUrl).toBe(url);
      expect(output).toContain(deployment?.router);
      expect(output).toContain(deploymentFile);
      expect(output).not.toContain(localAccount(0).privateKey);
      expect(output).not.toMatch(/0x[0-9a-fA-F]{64}/);
      expect(existsSync(join(dir, '.env'))).toBe(false);

      const stopped = waitForOutput(child, /local chain stopped/).catch(() => '');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(await stopped).toMatch(/local chain stopped/);
      await expectNoNodeLeft(port, url);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  it('as `npx tsx tools/chain/up.ts`: leaves a running node alone, and Ctrl-C (a signal to the process group) leaves no node behind', async () => {
    const { port, env, url, deploymentFile } = await setting();
    const child = spawn('npx', ['tsx', 'tools/chain/up.ts'], {
      cwd: workspaceRoot,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    try {
      await waitForOutput(child, /Ctrl-C stops the node/);
      const first = readDeployment(deploymentFile);

      const again = spawn('npx', ['tsx', 'tools/chain/up.ts'], { cwd: workspaceRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const againExited = once(again, 'exit');
      const output = await waitForOutput(again, /nothing new\n/);
      const [againCode] = await againExited;
      expect(againCode).toBe(0);
      expect(output).toMatch(/a node already answers/);
      expect(readDeployment(deploymentFile)).toEqual(first);
      expect(await rpcChainId(url)).toBe(31337);

      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
      await expectNoNodeLeft(port, url);
    } finally {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }
  }, 120_000);
});
