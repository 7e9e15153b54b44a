import { localAccount, paymentRefOf, toTokenUnits } from '@nexus/chain';
import type { TestChain } from '@nexus/chain/testing';
import { createSilentLogger } from '@nexus/service-kit';
import type { PaymentRecord } from '@nexus/stores';
import { toBaseUnits } from '@nexus/types';
import { Wallet, type JsonRpcProvider } from 'ethers';
import { ChainSettler } from '../chain/chain-settler';

let sequence = 0;

/** A PENDING ledger row as the payment service hands it to the settler: 0.50 to payee #1 for IMAGE_GEN by default. */
export function pendingPayment(chain: TestChain, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  sequence += 1;
  const id = `pay_${String(sequence).padStart(32, '0')}`;
  const now = new Date();
  return {
    id,
    idempotencyKey: `key-${sequence}`,
    agentId: 'user-agent',
    serviceId: 'IMAGE_GEN',
    payee: chain.payees[0]!.address,
    amount: toBaseUnits('0.50'),
    decisionId: `dec_${sequence}`,
    reservationId: null,
    mode: 'chain',
    txNonce: null,
    rawTx: null,
    paymentRef: paymentRefOf(id),
    status: 'PENDING',
    attempts: 1,
    txHash: null,
    blockNumber: null,
    createdAt: now,
    gasUsed: null,
    failure: null,
    updatedAt: now,
    refund: null,
    settledAt: null,
    ...overrides,
  };
}

/** Our payment as the router must show it (the treasury's reference, payee, service and amount in token units). */
export function expectedPaymentOf(chain: TestChain, payment: PaymentRecord) {
  return {
    paymentRef: payment.paymentRef!,
    payer: chain.treasury.address,
    payee: payment.payee,
    serviceId: payment.serviceId,
    amount: toTokenUnits(payment.amount, chain.deployment.token.decimals),
  };
}

/** A chain settler for the test chain's treasury (Hardhat #0), holding payee #1's key; `provider` may be a proxy's. */
export function chainSettlerOn(chain: TestChain, provider: JsonRpcProvider = chain.provider): ChainSettler {
  return new ChainSettler({
    provider,
    chainId: chain.deployment.chainId,
    router: chain.deployment.router,
    token: chain.deployment.token,
    fromBlock: chain.deployment.blockNumber,
    treasury: new Wallet(localAccount(0).privateKey, provider),
    payees: [new Wallet(localAccount(1).privateKey, provider)],
    confirmations: 1,
    retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
    receiptTimeoutMs: 5_000,
    receiptPollMs: 50,
    logger: createSilentLogger('payment'),
  });
}
