import request from 'supertest';
import { Wallet, parseUnits } from 'ethers';
import { MNEEToken__factory } from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import type { X402PayRequest } from '@nexus/types';
import type { OutcomeReports } from '../pending/outcome-reports';
import { auth, createPaymentUnderTest, type PaymentUnderTest } from './payment-harness';
import { startRpcProxy, type RpcProxy } from './rpc-proxy';

/** The x402 service our agents pay in these tests: not in config/, so its payee starts with nothing. */
export const X402_SERVICE = 'WEATHER_X402';
export const mnee = (amount: string) => parseUnits(amount, 18);

/** One report to the policy about a hold, as a fake OutcomeReports heard it. */
export interface HeardReport {
  action: 'pin' | 'commit' | 'release';
  reservationId: string | null;
  paymentId: string;
}

export interface X402OutWorld {
  chain: TestChain;
  /** the payment service reaches the chain through it: `down()` cuts it off */
  proxy: RpcProxy;
  payment: PaymentUnderTest;
  /** the service's `payTo` in our services.yaml */
  payTo: string;
  domain: { name: string; version: string };
  /** every pin, commit and release the payment service told, in order */
  reports: HeardReport[];
  fakeReports: Pick<OutcomeReports, 'pinned' | 'committed' | 'released'>;
  token: () => ReturnType<typeof MNEEToken__factory.connect>;
  accepted: (overrides?: Partial<X402PayRequest['accepted']>) => X402PayRequest['accepted'];
  /** a pay body on a fresh grant for 0.01 MNEE (the grant's terms and the offer overridable) */
  body: (options?: {
    amount?: string;
    expiresAt?: Date;
    accepted?: Partial<X402PayRequest['accepted']>;
    idempotencyKey?: string;
  }) => Promise<X402PayRequest>;
  pay: (body: object, header?: Record<string, string>) => Promise<request.Response>;
  report: (id: string, outcome: object) => Promise<request.Response>;
  /** submits the signed authorization as an external facilitator would: from another account (the stranger) */
  submit: (paymentSignature: string) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * A real payment service on a real Hardhat node that knows one x402
 * service, its hold reports heard by a fake policy, and the steps of a paid
 * x402 call: pay, submit (the service's facilitator), report.
 */
export async function startX402OutWorld(options: { databaseUrl?: string } = {}): Promise<X402OutWorld> {
  const chain = await startTestChain();
  const proxy = await startRpcProxy(chain.deployment.rpcUrl);
  const payTo = Wallet.createRandom().address;
  const reports: HeardReport[] = [];
  const heard = (action: HeardReport['action']) => async (payment: { id: string; reservationId: string | null }) => {
    reports.push({ action, reservationId: payment.reservationId, paymentId: payment.id });
  };
  const fakeReports = { pinned: heard('pin'), committed: heard('commit'), released: heard('release') };
  const payment = await createPaymentUnderTest({
    deployment: chain.deployment,
    rpcUrl: proxy.url,
    receiptTimeoutMs: 2_000,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    x402Services: [{ id: X402_SERVICE, payTo }],
    x402Reports: fakeReports,
  });
  const token = () => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider);
  const domain = { name: await token().name(), version: await token().version() };
  const accepted = (overrides: Partial<X402PayRequest['accepted']> = {}): X402PayRequest['accepted'] => ({
    scheme: 'exact',
    network: 'eip155:31337',
    asset: chain.deployment.token.address,
    amount: mnee('0.01').toString(),
    payTo,
    maxTimeoutSeconds: 60,
    extra: { ...domain },
    ...overrides,
  });
  let sequence = 0;
  return {
    chain,
    proxy,
    payment,
    payTo,
    domain,
    reports,
    fakeReports,
    token,
    accepted,
    body: async (options = {}) => {
      sequence += 1;
      const grant = await payment.grants.issue({
        agentId: 'user-agent',
        serviceId: X402_SERVICE,
        variant: 'x402',
        amount: options.amount ?? '0.01',
        ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
      });
      return {
        grant,
        idempotencyKey: options.idempotencyKey ?? `x402-out-${sequence}-${Date.now()}`,
        resource: { url: 'https://weather.example/now', description: 'the weather now', mimeType: 'application/json' },
        accepted: accepted(options.accepted),
      };
    },
    pay: (body, header = auth) => request(payment.app).post('/x402/payments').set(header).send(body),
    report: (id, outcome) =>
      request(payment.app)
        .post(`/x402/payments/${encodeURIComponent(id)}/outcome`)
        .set(auth)
        .send(outcome),
    submit: async (paymentSignature) => {
      const { payload } = decodePaymentSignatureHeader(paymentSignature);
      const { authorization: a, signature } = payload as {
        authorization: Record<'from' | 'to' | 'value' | 'validAfter' | 'validBefore' | 'nonce', string>;
        signature: string;
      };
      const submitted = await token()
        .connect(chain.stranger)
        .getFunction('transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)')(
        a.from,
        a.to,
        a.value,
        a.validAfter,
        a.validBefore,
        a.nonce,
        signature,
      );
      const receipt = await submitted.wait();
      if (!receipt) throw new Error('no receipt');
      return receipt.hash;
    },
    close: async () => {
      await payment.close();
      await proxy.down();
      await chain.stop();
    },
  };
}
