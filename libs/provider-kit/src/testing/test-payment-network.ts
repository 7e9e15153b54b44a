import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_PAYEE_ACCOUNTS, localAccount, writeDeployment } from '@nexus/chain';
import { freePort, startTestChain, type TestChain } from '@nexus/chain/testing';
import { PaymentClient } from '@nexus/clients';
import { TestGrantIssuer, TestReceiptKeys } from '@nexus/clients/testing';
import { TEST_TOKENS, startServiceProcess, testCredentialEnv, type ServiceProcess } from '@nexus/service-kit/testing';
import { CALLERS_ACCEPTED_BY, PROVIDER_CALLERS } from '@nexus/types';

export type TestPaymentMode = 'mock' | 'chain';

export interface TestPaymentNetwork {
  mode: TestPaymentMode;
  /** the Hardhat node with the contracts (chain mode) */
  chain: TestChain | undefined;
  /** the real payment service, as a child process (replaced by restartPayment) */
  payment: ServiceProcess;
  /** starts the payment service again on the same port and data (after a stop or kill) */
  restartPayment: () => Promise<void>;
  /** a client of it, calling as the gateway (TEST_TOKENS of service-kit) */
  payments: PaymentClient;
  /** the policy's grant keys this payment service trusts: `grants.issue(...)` signs a grant it pays, `grants.policyEnv` a policy process signs with */
  grants: TestGrantIssuer;
  /** the payment service's receipt keys (mock mode): it signs with them, the providers of `providerEnv` check with them */
  receipts: TestReceiptKeys;
  /** what a provider needs in its environment to join this network (payment URL, its token, mode, chain, payee keys, receipt key) */
  providerEnv: Record<string, string>;
  stop: () => Promise<void>;
}

export interface TestPaymentNetworkOptions {
  /** let the payment service sign refunds for the local payees (#1–#4) itself */
  paymentHoldsPayeeKeys?: boolean;
  /** more environment of the payment service (e.g. `NEXUS_SERVICE_<ID>_PAYEE`: its own services.yaml, overridden) */
  paymentEnv?: Record<string, string>;
}

/**
 * A real payment network for provider tests: the payment service as a child
 * process, in mock mode, or in chain mode over a fresh Hardhat node with the
 * contracts deployed and the treasury funded. Always stop() it.
 */
export async function startTestPaymentNetwork(mode: TestPaymentMode, options: TestPaymentNetworkOptions = {}): Promise<TestPaymentNetwork> {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-payment-net-'));
  const payeeKeys = LOCAL_PAYEE_ACCOUNTS.map((index) => localAccount(index).privateKey).join(',');
  const grants = new TestGrantIssuer();
  const receipts = new TestReceiptKeys();
  const chain = mode === 'chain' ? await startTestChain() : undefined;
  try {
    const chainEnv: Record<string, string> = chain
      ? {
          PAYMENT_MODE: 'chain',
          CHAIN_RPC_URL: chain.deployment.rpcUrl,
          CHAIN_DEPLOYMENT_FILE: join(dir, 'deployment.json'),
          CHAIN_RPC_ATTEMPTS: '3',
          CHAIN_RPC_BACKOFF_MS: '20',
          PAYMENT_RECEIPT_TIMEOUT_MS: '10000',
        }
      : { PAYMENT_MODE: 'mock' };
    if (chain) writeDeployment(join(dir, 'deployment.json'), chain.deployment);
    const port = await freePort();
    const startPayment = () =>
      startServiceProcess({
        app: 'payment',
        port,
        env: {
          ...chainEnv,
          ...testCredentialEnv('payment', CALLERS_ACCEPTED_BY.payment),
          NEXUS_DATA_DIR: join(dir, 'payment'),
          TREASURY_PRIVATE_KEY: localAccount(0).privateKey,
          ...(options.paymentHoldsPayeeKeys ? { PAYEE_PRIVATE_KEYS: payeeKeys } : {}),
          ...grants.paymentEnv,
          ...receipts.paymentEnv,
          ...options.paymentEnv,
        },
      });
    const payment = await startPayment();
    const network: TestPaymentNetwork = {
      mode,
      chain,
      payment,
      restartPayment: async () => {
        await network.payment.stop();
        network.payment = await startPayment();
      },
      payments: new PaymentClient({ baseUrl: payment.url, token: TEST_TOKENS.gateway }),
      grants,
      receipts,
      providerEnv: {
        ...chainEnv,
        PAYMENT_URL: payment.url,
        // each provider reads its own <NAME>_TOKEN
        ...Object.assign({}, ...PROVIDER_CALLERS.map((provider) => testCredentialEnv(provider))),
        PAYEE_PRIVATE_KEYS: payeeKeys,
        ...receipts.providerEnv,
      },
      stop: async () => {
        await network.payment.stop();
        await chain?.stop();
      },
    };
    return network;
  } catch (error) {
    await chain?.stop();
    throw error;
  }
}
