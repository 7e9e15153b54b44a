import type { LogOutbox } from '@nexus/clients';
import { newId, type Logger } from '@nexus/service-kit';
import type { PaymentRecord, PaymentStore } from '@nexus/stores';
import { fromBaseUnits, providerServiceId, type ProviderCaller, type TransactionEvent, type X402FacilitatorRequest } from '@nexus/types';
import { x402Facilitator } from '@x402/core/facilitator';
import type { Network, PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse } from '@x402/core/types';
import { ExactEvmScheme } from '@x402/evm/exact/facilitator';
import { Contract, getAddress, verifyTypedData } from 'ethers';
import {
  PERMIT2_ADDRESS,
  permit2Domain,
  permit2NonceBit,
  PERMIT2_WITNESS_TYPES,
  Permit2__factory,
  TRANSFER_WITH_AUTHORIZATION_TYPES,
} from '@nexus/chain';
import type { ChainAccess } from '../chain/chain-settler';
import { toFacilitatorEvmSigner } from './evm-signer';
import { X402_REASONS, authorizationKey, checkRequest, type CheckedRequest } from './x402-checks';

const TOKEN_READS = [
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
  'function balanceOf(address account) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
];

export interface X402ServiceDeps {
  chain: ChainAccess;
  store: Pick<PaymentStore, 'recordX402' | 'findByIdempotencyKey'>;
  /** each provider's payee (services.yaml): a provider verifies and settles payments to itself only */
  payees: ReadonlyMap<string, string>;
  /** the payment service's audit outbox; none when it runs without one (a test that does not look) */
  audit: Pick<LogOutbox, 'record'> | undefined;
  logger: Logger;
  now?: () => Date;
}

/**
 * The x402 v2 facilitator of this payment service's chain: the official
 * x402Facilitator with the exact EVM scheme, signing through the treasury's
 * sender, behind this service's own checks (x402-checks.ts), its ledger and
 * its audit trail.
 */
export class X402Service {
  readonly network: Network;
  private readonly facilitator: x402Facilitator;
  private readonly token: Contract;
  private readonly permit2: ReturnType<typeof Permit2__factory.connect>;
  /** one settle per authorization at a time in this process; the ledger's unique key holds across processes */
  private readonly settling = new Map<string, Promise<SettleResponse>>();

  constructor(private readonly deps: X402ServiceDeps) {
    const { chain } = deps;
    this.network = `eip155:${chain.chainId}`;
    const signer = toFacilitatorEvmSigner({ provider: chain.provider, sender: chain.sender, receiptTimeoutMs: chain.receiptTimeoutMs });
    // v2 only, on this chain only (registerExactEvmScheme would add v1 on every network it knows)
    this.facilitator = new x402Facilitator().register(this.network, new ExactEvmScheme(signer));
    this.token = new Contract(chain.token.address, TOKEN_READS, chain.provider);
    this.permit2 = Permit2__factory.connect(PERMIT2_ADDRESS, chain.provider);
  }

  /** SupportedResponse: `exact` on this chain, and the treasury as the signer. */
  supported(): ReturnType<x402Facilitator['getSupported']> {
    return this.facilitator.getSupported();
  }

  async verify(caller: ProviderCaller, body: X402FacilitatorRequest): Promise<VerifyResponse> {
    const checked = await this.check(caller, body);
    if (!checked.ok) return { isValid: false, invalidReason: checked.reason, invalidMessage: checked.message, ...payerOf(checked) };
    const used = await this.refusedOnChain(checked.request);
    if (used) return { isValid: false, invalidReason: used.reason, invalidMessage: used.message, payer: checked.request.payer };
    return this.facilitator.verify(...libraryArgs(body));
  }

  async settle(caller: ProviderCaller, body: X402FacilitatorRequest): Promise<SettleResponse> {
    const checked = await this.check(caller, body);
    if (!checked.ok)
      return {
        success: false,
        errorReason: checked.reason,
        errorMessage: checked.message,
        transaction: '',
        network: this.network,
        ...payerOf(checked),
      };
    const key = authorizationKey(this.network, this.deps.chain.token.address, checked.request);
    const running = this.settling.get(key);
    if (running) return running;
    const settling = this.settleOnce(caller, body, checked.request, key).finally(() => this.settling.delete(key));
    this.settling.set(key, settling);
    return settling;
  }

  private async check(caller: ProviderCaller, body: X402FacilitatorRequest) {
    return checkRequest(body, { network: this.network, token: this.deps.chain.token }, this.deps.payees.get(providerServiceId(caller)));
  }

  /**
   * A used (or canceled) nonce, or a payer short of the amount: the library finds these only through Multicall3.
   * On the Permit2 path: the nonce's bit in Permit2's bitmap, and the payer's allowance to Permit2 (its one-time approve).
   */
  private async refusedOnChain(request: CheckedRequest): Promise<{ reason: string; message: string } | undefined> {
    if (request.method === 'permit2') return this.permit2RefusedOnChain(request);
    const [used, balance] = (await Promise.all([
      this.token.getFunction('authorizationState')(request.payer, request.authorization.nonce),
      this.token.getFunction('balanceOf')(request.payer),
    ])) as [boolean, bigint];
    if (used) return { reason: X402_REASONS.nonceUsed, message: 'this authorization was already used or canceled' };
    if (balance < BigInt(request.authorization.value))
      return { reason: X402_REASONS.insufficientBalance, message: 'the payer holds less than the amount' };
    return undefined;
  }

  private async permit2RefusedOnChain(
    request: Extract<CheckedRequest, { method: 'permit2' }>,
  ): Promise<{ reason: string; message: string } | undefined> {
    const { word, bit } = permit2NonceBit(BigInt(request.permit2Authorization.nonce));
    const amount = BigInt(request.permit2Authorization.permitted.amount);
    const [bits, balance, allowance] = (await Promise.all([
      this.permit2.nonceBitmap(request.payer, word),
      this.token.getFunction('balanceOf')(request.payer),
      this.token.getFunction('allowance')(request.payer, PERMIT2_ADDRESS),
    ])) as [bigint, bigint, bigint];
    if ((bits & bit) !== 0n)
      return { reason: X402_REASONS.permit2NonceUsed, message: 'this Permit2 nonce was already used or invalidated' };
    if (balance < amount) return { reason: X402_REASONS.permit2InsufficientBalance, message: 'the payer holds less than the amount' };
    if (allowance < amount)
      return {
        reason: X402_REASONS.permit2AllowanceRequired,
        message: 'the payer has not approved Permit2 for the token (a one-time approve)',
      };
    return undefined;
  }

  private async settleOnce(
    caller: ProviderCaller,
    body: X402FacilitatorRequest,
    request: CheckedRequest,
    key: string,
  ): Promise<SettleResponse> {
    const { network } = this;
    const recorded = await this.deps.store.findByIdempotencyKey(key);
    // The same authorization settled before: its payment, never a second transfer (the token would refuse the nonce anyway).
    if (recorded && this.sameAuthorization(recorded, body, request))
      return { success: true, transaction: recorded.txHash ?? '', network, payer: request.payer, amount: body.paymentRequirements.amount };
    const refused = await this.refusedOnChain(request);
    if (refused)
      return { success: false, errorReason: refused.reason, errorMessage: refused.message, transaction: '', network, payer: request.payer };
    const result = await this.facilitator.settle(...libraryArgs(body));
    if (!result.success) {
      this.deps.logger.warn('x402 settle refused', { caller, reason: result.errorReason, transaction: result.transaction || null });
      return result;
    }
    await this.record(caller, body, request, key, result.transaction);
    return result;
  }

  /** A recorded payment answers a settle only for the same payee, amount and a signature of its payer. */
  private sameAuthorization(recorded: PaymentRecord, body: X402FacilitatorRequest, request: CheckedRequest): boolean {
    const required = body.paymentRequirements;
    if (getAddress(recorded.payee) !== getAddress(required.payTo) || recorded.amount !== request.baseUnits) return false;
    try {
      if (request.method === 'permit2') {
        const signed = request.permit2Authorization;
        const message = {
          permitted: signed.permitted,
          spender: signed.spender,
          nonce: signed.nonce,
          deadline: signed.deadline,
          witness: signed.witness,
        };
        const domain = permit2Domain(this.deps.chain.chainId);
        return getAddress(verifyTypedData(domain, PERMIT2_WITNESS_TYPES, message, request.signature)) === request.payer;
      }
      const { name, version } = required.extra;
      if (typeof name !== 'string' || typeof version !== 'string') return false;
      const domain = { name, version, chainId: this.deps.chain.chainId, verifyingContract: getAddress(required.asset) };
      return (
        getAddress(verifyTypedData(domain, TRANSFER_WITH_AUTHORIZATION_TYPES, request.authorization, request.signature)) === request.payer
      );
    } catch {
      return false;
    }
  }

  /** One ledger row (SUCCESS, no agent) and, when it is new, one transaction event through the outbox. */
  private async record(caller: ProviderCaller, body: X402FacilitatorRequest, request: CheckedRequest, key: string, txHash: string) {
    const receipt = await this.deps.chain.provider.getTransactionReceipt(txHash).catch(() => null);
    const now = this.deps.now?.() ?? new Date();
    const { payment, created } = await this.deps.store.recordX402(
      {
        id: newId('pay'),
        idempotencyKey: key,
        serviceId: providerServiceId(caller),
        payee: getAddress(body.paymentRequirements.payTo),
        payer: request.payer,
        // ERC-3009: the bytes32; Permit2: the uint256 as 0x and 64 hex digits (x402-checks.ts)
        authorizationNonce: request.nonce,
        amount: request.baseUnits,
        txHash,
        blockNumber: receipt?.blockNumber ?? null,
        gasUsed: receipt?.gasUsed ?? null,
      },
      now,
    );
    this.deps.logger.info('x402 payment settled', { paymentId: payment.id, serviceId: payment.serviceId, txHash, created });
    if (created) await this.deps.audit?.record(x402TransactionEvent(payment));
  }
}

/**
 * The audit trail's event of a settled x402 payment. The trail names an agent
 * for every payment; an x402 payment has none, so it names the payer's
 * address (a valid id no agent is given: agents are created by name).
 */
export function x402TransactionEvent(payment: PaymentRecord): TransactionEvent {
  const payer = (payment.payer ?? 'unknown').toLowerCase();
  return {
    id: `pay:${payment.id}:SUCCESS`,
    kind: 'transaction',
    occurredAt: (payment.settledAt ?? payment.createdAt).toISOString(),
    agentId: payer,
    serviceId: payment.serviceId,
    status: 'SUCCESS',
    amount: fromBaseUnits(payment.amount),
    paymentId: payment.id,
    decisionId: null,
    txHash: payment.txHash,
    reason: null,
    message: `x402 payment by ${payer}, authorization ${payment.authorizationNonce ?? ''}`.slice(0, 500),
  };
}

const payerOf = (outcome: { payer?: string }) => (outcome.payer ? { payer: outcome.payer } : {});

/** Our parsed body, as the library's types (the same shape: x402-checks.ts and @nexus/types X402FacilitatorRequest). */
const libraryArgs = (body: X402FacilitatorRequest): [PaymentPayload, PaymentRequirements] => [
  body.paymentPayload as PaymentPayload,
  body.paymentRequirements as PaymentRequirements,
];
