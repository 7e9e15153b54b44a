import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  connectRpc,
  deployLocalChain,
  LOCAL_CHAIN_ID,
  readJournal,
  replayJournal,
  startChainRecorder,
  startHardhatNode,
  type ChainRecorder,
  type Deployment,
  type HardhatNode,
} from '@nexus/chain';
import { freePort } from '@nexus/chain/testing';
import { auth, createPaymentUnderTest, type PaymentUnderTest } from '../testing/payment-harness';

jest.setTimeout(90_000);

/**
 * The launcher journals the local node's blocks and replays them into the
 * next node; a payment answered SUCCESS must be among them even when the node
 * is killed right after the answer. The recorder here polls only every 30 s,
 * far behind the payments, so only the payment's own wait can put its block
 * in the journal in time.
 */
describe('a payment answered SUCCESS on the journaled local node', () => {
  const LAGGING_POLL_MS = 30_000;
  let node: HardhatNode;
  let recorder: ChainRecorder | undefined;
  let deployment: Deployment;
  let journalFile: string;
  let payment: PaymentUnderTest | undefined;

  /** a PRICE_ORACLE payment of 0.05, on a grant the payment service trusts */
  const pay = async (key: string) => {
    if (!payment) throw new Error('no payment service');
    const grant = await payment.grants.issue({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', variant: 'query', amount: '0.05' });
    return request(payment.app).post('/payments').set(auth).send({ grant, idempotencyKey: key });
  };

  beforeEach(async () => {
    journalFile = join(mkdtempSync(join(tmpdir(), 'nexus-durable-')), 'chain', 'blocks.jsonl');
    node = await startHardhatNode({ port: await freePort() });
    const provider = connectRpc(node.url, LOCAL_CHAIN_ID);
    deployment = await deployLocalChain(provider, node.url, '1000');
    provider.destroy();
    recorder = await startChainRecorder({ rpcUrl: node.url, path: journalFile, intervalMs: LAGGING_POLL_MS });
    await recorder.catchUp();
  });
  afterEach(async () => {
    await payment?.close();
    await recorder?.stop().catch(() => undefined);
    await node.stop();
  });

  /** kill -9 of the node, then a fresh one on the same port replaying the journal, as the launcher does. */
  async function killAndReplay(): Promise<ReturnType<typeof connectRpc>> {
    const exited = new Promise((resolve) => node.process.once('exit', resolve));
    node.process.kill('SIGKILL');
    await exited;
    await recorder?.stop().catch(() => undefined);
    recorder = undefined;
    const blocks = readJournal(journalFile);
    node = await startHardhatNode({ port: node.port, ...(blocks[0] ? { genesisTimestamp: blocks[0].timestamp } : {}) });
    await replayJournal({ rpcUrl: node.url, blocks });
    return connectRpc(node.url, LOCAL_CHAIN_ID);
  }

  it('is in the journal, so the node killed right after the answer comes back with it', async () => {
    payment = await createPaymentUnderTest({ deployment, journalFile });
    const paid = await Promise.all(['a', 'b', 'c'].map((key) => pay(`durable-${key}`)));
    expect(paid.map((response) => response.body.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);

    const replayed = await killAndReplay();
    try {
      for (const response of paid) {
        expect((await replayed.getTransactionReceipt(response.body.txHash as string))?.status).toBe(1);
      }
    } finally {
      replayed.destroy();
    }
  });

  it('stays PENDING, never SUCCESS, while no recorder journals its block', async () => {
    await recorder?.stop();
    recorder = undefined;
    payment = await createPaymentUnderTest({ deployment, journalFile, receiptTimeoutMs: 1_000 });

    const response = await pay('unjournaled');

    expect(response.status).toBe(503);
    expect(response.body.error).toMatchObject({
      code: 'CHAIN_UNAVAILABLE',
      details: [{ path: 'payment.id' }, { path: 'payment.status', message: 'PENDING' }],
    });
  });
});
