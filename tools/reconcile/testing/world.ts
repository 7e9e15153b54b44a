import { paymentRefOf, toTokenUnits } from '@nexus/chain';
import { fromBaseUnits, toBaseUnits, type Agent, type Decision, type LogStats, type Payment, type Reservation } from '@nexus/types';
import type {
  ChainSnapshot,
  DecisionLogEvent,
  LedgerSnapshot,
  LoggerSnapshot,
  PolicySnapshot,
  Snapshots,
  TransactionLogEvent,
} from '../snapshots';

/**
 * Consistent snapshots of a stack after some paid calls, built the way the
 * paid-call pipeline leaves them, for the comparison tests to break one
 * thing at a time.
 */

export const TREASURY = '0x1111111111111111111111111111111111111111';
export const ROUTER = '0x2222222222222222222222222222222222222222';
export const PAYEE = '0x3333333333333333333333333333333333333333';
export const DECIMALS = 18;
export const DEPLOYED_AT = '2026-03-10T11:00:00.000Z';
export const TOKEN = '0x4444444444444444444444444444444444444444';
export const X402_PAYER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';

/** How a call ended: served (SUCCESS/MOCK, hold committed), refunded or failed (hold released), pending (hold committed), held (decided, not paid yet), rejected (no hold). */
export type Outcome = 'served' | 'refunded' | 'failed' | 'pending' | 'held' | 'rejected';

export interface CallSpec {
  outcome: Outcome;
  agentId?: string;
  serviceId?: string;
  amount?: string;
  periodId?: number;
}

const hex = (n: number, length: number) => n.toString(16).padStart(length, '0');
export const idOf = (prefix: 'dec' | 'res' | 'pay', n: number) => `${prefix}_${hex(n, 32)}`;
export const txOf = (n: number) => `0x${hex(n, 64)}`;
const at = (n: number) => new Date(Date.parse('2026-03-10T12:00:00.000Z') + n * 1000).toISOString();

export function world(calls: CallSpec[], mode: 'chain' | 'mock' = 'chain', currentPeriod = 1): Snapshots {
  const policy: PolicySnapshot = { periodId: currentPeriod, agents: [], reservations: [], decisions: [] };
  const ledger: LedgerSnapshot = {
    mode,
    treasury: mode === 'chain' ? TREASURY : null,
    router: mode === 'chain' ? ROUTER : null,
    chainId: mode === 'chain' ? 31337 : null,
    tokenDecimals: mode === 'chain' ? DECIMALS : null,
    payments: [],
  };
  const transactions: TransactionLogEvent[] = [];
  const decisionEvents: DecisionLogEvent[] = [];
  const chain: ChainSnapshot = {
    chainId: 31337,
    router: ROUTER,
    treasury: TREASURY,
    tokenDecimals: DECIMALS,
    fromBlock: 5,
    toBlock: 5 + calls.length * 2,
    deployedAt: DEPLOYED_AT,
    payments: [],
    refunds: [],
    malformed: [],
    token: TOKEN,
    payees: [PAYEE],
    authorizations: [],
    transfers: [],
    permit2Settlements: [],
  };

  calls.forEach((call, index) => {
    const n = index + 1;
    const agentId = call.agentId ?? 'user-agent';
    const serviceId = call.serviceId ?? 'PRICE_ORACLE';
    const amount = call.amount ?? '0.05';
    const periodId = call.periodId ?? currentPeriod;
    const outcome = call.outcome;
    const rejected = outcome === 'rejected';
    const decision: Decision = {
      id: idOf('dec', n),
      action: rejected ? 'REJECTED' : 'ALLOWED',
      reason: rejected ? 'DAILY_BUDGET_EXCEEDED' : 'WITHIN_POLICY',
      message: rejected ? 'over budget' : 'within policy',
      agentId,
      serviceId,
      requestedVariant: null,
      variant: 'query',
      amount,
      reservationId: rejected ? null : idOf('res', n),
      expiresAt: rejected ? null : at(n + 120),
      periodId,
      grant: null,
      simulated: false,
      replayed: false,
      createdAt: at(n),
    };
    policy.decisions.push(decision);
    decisionEvents.push({
      id: `dec:${decision.id}`,
      kind: 'decision',
      occurredAt: decision.createdAt,
      recordedAt: decision.createdAt,
      agentId,
      serviceId,
      action: decision.action,
      reason: decision.reason,
      message: decision.message,
      variant: decision.variant,
      amount,
      decisionId: decision.id,
      reservationId: decision.reservationId,
    });
    if (outcome === 'rejected') return;

    const holdStatus = { served: 'COMMITTED', pending: 'COMMITTED', refunded: 'RELEASED', failed: 'RELEASED', held: 'HELD' } as const;
    const status = holdStatus[outcome];
    policy.reservations.push({
      id: idOf('res', n),
      decisionId: decision.id,
      agentId,
      serviceId,
      variant: 'query',
      amount,
      committedAmount: status === 'COMMITTED' ? amount : null,
      status,
      periodId,
      expiresAt: at(n + 120),
      createdAt: at(n),
      settledAt: status === 'HELD' ? null : at(n + 2),
      releaseReason: status === 'RELEASED' ? 'the call failed and the payment was refunded' : null,
    });
    if (outcome === 'held') return;

    const paymentStatus = {
      served: mode === 'chain' ? 'SUCCESS' : 'MOCK',
      refunded: 'REFUNDED',
      failed: 'FAILED',
      pending: 'PENDING',
    } as const;
    const onChain = mode === 'chain' && (outcome === 'served' || outcome === 'refunded');
    const payment: Payment = {
      id: idOf('pay', n),
      status: paymentStatus[outcome],
      mode,
      amount,
      agentId,
      serviceId,
      payee: PAYEE,
      decisionId: decision.id,
      reservationId: idOf('res', n),
      idempotencyKey: `key-${n}`,
      paymentRef: mode === 'chain' ? paymentRefOf(idOf('pay', n)) : null,
      txHash: onChain ? txOf(n) : null,
      blockNumber: onChain ? 5 + n * 2 : null,
      gasUsed: onChain ? '135000' : null,
      failure: outcome === 'failed' ? { code: 'ERC20InsufficientBalance', message: 'the treasury is short' } : null,
      refund:
        outcome === 'refunded' ? { txHash: mode === 'chain' ? txOf(1000 + n) : null, reason: 'not served', refundedAt: at(n + 3) } : null,
      attempts: 1,
      createdAt: at(n),
      settledAt: outcome === 'pending' ? null : at(n + 1),
    };
    ledger.payments.push(payment);
    const settled = (status: TransactionLogEvent['status'], occurredAt: string): TransactionLogEvent => ({
      id: `pay:${payment.id}:${status}`,
      kind: 'transaction',
      occurredAt,
      recordedAt: occurredAt,
      agentId,
      serviceId,
      status,
      amount,
      paymentId: payment.id,
      decisionId: decision.id,
      txHash: status === 'REFUNDED' ? (payment.refund?.txHash ?? null) : payment.txHash,
      reason: status === 'REFUNDED' ? 'REFUNDED' : (payment.failure?.code ?? null),
      message: null,
    });
    if (outcome === 'served') transactions.push(settled(payment.status === 'MOCK' ? 'MOCK' : 'SUCCESS', at(n + 1)));
    if (outcome === 'refunded')
      transactions.push(settled(mode === 'chain' ? 'SUCCESS' : 'MOCK', at(n + 1)), settled('REFUNDED', at(n + 3)));
    if (outcome === 'failed') transactions.push(settled('FAILED', at(n + 1)));
    if (onChain) {
      const tokens = toTokenUnits(toBaseUnits(amount), DECIMALS);
      const ref = paymentRefOf(payment.id);
      chain.payments.push({
        paymentRef: ref,
        payer: TREASURY,
        payee: PAYEE,
        amount: tokens,
        serviceId,
        txHash: txOf(n),
        blockNumber: 5 + n * 2,
      });
      if (outcome === 'refunded')
        chain.refunds.push({
          paymentRef: ref,
          payer: TREASURY,
          payee: PAYEE,
          amount: tokens,
          txHash: txOf(1000 + n),
          blockNumber: 6 + n * 2,
        });
    }
  });

  policy.agents = agentsOf(policy);
  const logger: LoggerSnapshot = { transactions, decisions: decisionEvents, stats: statsOf(transactions, decisionEvents) };
  return {
    takenAt: '2026-03-10T13:00:00.000Z',
    policy,
    ledger,
    logger,
    chain: mode === 'chain' ? chain : { skipped: 'mock mode' },
    where: { policy: 'http://policy', payment: 'http://payment', logger: 'http://logger', chain: 'http://chain' },
    notes: [],
  };
}

/** Each agent's spentToday and reserved: its committed and held holds of the current period. */
function agentsOf(policy: PolicySnapshot): Agent[] {
  const ids = [...new Set(['user-agent', ...policy.reservations.map((r) => r.agentId)])];
  return ids.map((id) => {
    const mine = policy.reservations.filter((r) => r.agentId === id && r.periodId === policy.periodId);
    const sum = (status: Reservation['status'], pick: (r: Reservation) => string) =>
      mine.filter((r) => r.status === status).reduce((total, r) => total + toBaseUnits(pick(r)), 0n);
    const spent = sum('COMMITTED', (r) => r.committedAmount ?? r.amount);
    const reserved = sum('HELD', (r) => r.amount);
    return {
      id,
      name: id,
      priority: 'HIGH',
      dailyBudget: '100.00',
      weeklyBudget: null,
      monthlyBudget: null,
      maxPerCall: '10.00',
      spentToday: fromBaseUnits(spent),
      reserved: fromBaseUnits(reserved),
      remaining: fromBaseUnits(100_000_000n - spent - reserved),
      paused: false,
      allowedServices: ['PRICE_ORACLE', 'IMAGE_GEN'],
      periodId: policy.periodId ?? 1,
      windows: [],
      approvalAbove: null,
      approvalAboveByService: {},
    };
  });
}

/** GET /stats as the logger computes it from these events. */
export function statsOf(transactions: TransactionLogEvent[], decisions: DecisionLogEvent[]): LogStats {
  const count = (status: TransactionLogEvent['status']) => transactions.filter((e) => e.status === status).length;
  const byKey = (key: 'agentId' | 'serviceId') => {
    const sums = new Map<string, bigint>();
    for (const e of transactions) {
      if (e.status === 'FAILED') continue;
      const signed = e.status === 'REFUNDED' ? -toBaseUnits(e.amount) : toBaseUnits(e.amount);
      sums.set(e[key], (sums.get(e[key]) ?? 0n) + signed);
    }
    return sums;
  };
  const spend = byKey('agentId');
  const actions = (action: DecisionLogEvent['action']) => decisions.filter((e) => e.action === action).length;
  return {
    transactions: {
      total: count('SUCCESS') + count('MOCK') + count('FAILED'),
      successful: count('SUCCESS') + count('MOCK'),
      failed: count('FAILED'),
      refunded: count('REFUNDED'),
      byStatus: { SUCCESS: count('SUCCESS'), MOCK: count('MOCK'), FAILED: count('FAILED'), REFUNDED: count('REFUNDED') },
    },
    policy: {
      total: decisions.length,
      allowed: actions('ALLOWED'),
      rejected: actions('REJECTED'),
      downgraded: actions('DOWNGRADED'),
      pendingApproval: actions('PENDING_APPROVAL'),
    },
    totalSpent: fromBaseUnits([...spend.values()].reduce((a, b) => a + b, 0n)),
    spendByAgent: Object.fromEntries([...spend].map(([k, v]) => [k, fromBaseUnits(v)])),
    revenueByService: Object.fromEntries([...byKey('serviceId')].map(([k, v]) => [k, fromBaseUnits(v)])),
  };
}

/** The read snapshots of a world (the tests break them in place). */
export function parts(snapshots: Snapshots) {
  const { policy, ledger, logger, chain } = snapshots;
  if ('failed' in policy || 'failed' in ledger || 'failed' in logger || 'failed' in chain || 'skipped' in chain)
    throw new Error('parts() needs a world with every source read (chain mode)');
  return { policy, ledger, logger, chain };
}

/** The n-th x402 payment's authorization nonce. */
export const nonceOf = (n: number) => `0x${hex(n, 64)}`;

/**
 * A settled x402 payment (a third party paid PAYEE through the facilitator) as
 * each source has it: the ledger's SUCCESS row (no agent, no decision), the
 * logger's event (the payer as agent) and the token's AuthorizationUsed and
 * Transfer in its transaction. Added to the world in place.
 */
export function addX402(snapshots: Snapshots, n: number, amount = '0.25'): Payment {
  const { ledger, logger, chain } = parts(snapshots);
  const id = `pay_${n.toString(16).padStart(32, 'f')}`;
  const createdAt = `2026-03-10T12:3${n % 10}:00.000Z`;
  const txHash = txOf(900 + n);
  const payment: Payment = {
    id,
    status: 'SUCCESS',
    mode: 'chain',
    amount,
    agentId: '',
    serviceId: 'PRICE_ORACLE',
    payee: PAYEE,
    decisionId: '',
    reservationId: null,
    idempotencyKey: `x402:31337:token:${X402_PAYER.toLowerCase()}:${nonceOf(n)}`,
    paymentRef: null,
    txHash,
    blockNumber: 900 + n,
    gasUsed: '60000',
    failure: null,
    refund: null,
    attempts: 1,
    createdAt,
    settledAt: createdAt,
    method: 'x402',
    payer: X402_PAYER,
    authorizationNonce: nonceOf(n),
  };
  ledger.payments.push(payment);
  logger.transactions.push({
    id: `pay:${id}:SUCCESS`,
    kind: 'transaction',
    occurredAt: createdAt,
    recordedAt: createdAt,
    agentId: X402_PAYER.toLowerCase(),
    serviceId: 'PRICE_ORACLE',
    status: 'SUCCESS',
    amount,
    paymentId: id,
    decisionId: null,
    txHash,
    reason: null,
    message: null,
  });
  logger.stats = statsOf(logger.transactions, logger.decisions);
  chain.authorizations.push({ authorizer: X402_PAYER, nonce: nonceOf(n), txHash, blockNumber: 900 + n, logIndex: 0 });
  chain.transfers.push({
    from: X402_PAYER,
    to: PAYEE,
    amount: toTokenUnits(toBaseUnits(amount), DECIMALS),
    txHash,
    blockNumber: 900 + n,
    logIndex: 1,
  });
  return payment;
}

/**
 * A settled x402 payment of the Permit2 path: as `addX402`, but on chain the
 * x402 proxy's `Settled` and the Transfer in its transaction, no
 * AuthorizationUsed (the ledger's nonce is Permit2's uint256, as 0x-hex).
 */
export function addX402Permit2(snapshots: Snapshots, n: number, amount = '0.25'): Payment {
  const payment = addX402(snapshots, n, amount);
  const { chain } = parts(snapshots);
  chain.authorizations = chain.authorizations.filter((authorization) => authorization.txHash !== payment.txHash);
  payment.idempotencyKey = `x402:31337:token:${X402_PAYER.toLowerCase()}:permit2:${nonceOf(n)}`;
  chain.permit2Settlements.push({ txHash: payment.txHash ?? '', blockNumber: 900 + n, logIndex: 2 });
  return payment;
}

/**
 * Turns the world's settled grant payment `payment` into an x402-out one (an
 * agent paid an x402 service): the treasury's authorization `n` settled it
 * through the token, not the router, and the gateway reported `served`.
 */
export function makeX402Out(snapshots: Snapshots, payment: Payment, n: number, served: boolean | null): Payment {
  const { chain } = parts(snapshots);
  // the logger's event names the same transaction
  const txHash = payment.txHash ?? txOf(950 + n);
  chain.payments = chain.payments.filter((event) => event.paymentRef.toLowerCase() !== (payment.paymentRef ?? '').toLowerCase());
  Object.assign(payment, {
    method: 'x402-out',
    payer: TREASURY,
    authorizationNonce: nonceOf(950 + n),
    served,
    paymentRef: null,
  });
  chain.authorizations.push({ authorizer: TREASURY, nonce: nonceOf(950 + n), txHash, blockNumber: 950 + n, logIndex: 0 });
  chain.transfers.push({
    from: TREASURY,
    to: payment.payee,
    amount: toTokenUnits(toBaseUnits(payment.amount), DECIMALS),
    txHash,
    blockNumber: 950 + n,
    logIndex: 1,
  });
  return payment;
}
