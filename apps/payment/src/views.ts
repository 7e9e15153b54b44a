import type { PaymentRecord, PaymentStatus as LedgerStatus } from '@nexus/stores';
import { fromBaseUnits, type Payment, type TreasuryView } from '@nexus/types';
import type { TreasuryState } from './settler';

/** The API view of a payment; `replayed` is shown only when given (an answer to a pay or refund call). */
export function paymentView(record: PaymentRecord, { replayed }: { replayed?: boolean } = {}): Payment {
  return {
    id: record.id,
    status: record.status,
    mode: record.mode,
    amount: fromBaseUnits(record.amount),
    agentId: record.agentId,
    serviceId: record.serviceId,
    payee: record.payee,
    decisionId: record.decisionId,
    reservationId: record.reservationId,
    idempotencyKey: record.idempotencyKey,
    paymentRef: record.paymentRef,
    txHash: record.txHash,
    blockNumber: record.blockNumber,
    gasUsed: record.gasUsed === null ? null : record.gasUsed.toString(),
    failure: record.failure,
    refund: record.refund && { txHash: record.refund.txHash, reason: record.refund.reason, refundedAt: record.refund.at.toISOString() },
    attempts: record.attempts,
    createdAt: record.createdAt.toISOString(),
    settledAt: record.settledAt?.toISOString() ?? null,
    ...(record.method === 'x402' || record.method === 'x402-out'
      ? { method: record.method, payer: record.payer ?? null, authorizationNonce: record.authorizationNonce ?? null }
      : {}),
    ...(record.method === 'x402-out' ? { served: record.served ?? null } : {}),
    ...(replayed === undefined ? {} : { replayed }),
  };
}

export function treasuryView(
  mode: 'chain' | 'mock',
  state: TreasuryState,
  ledger: Record<LedgerStatus, { count: number; amount: bigint }>,
): TreasuryView {
  return {
    mode,
    address: state.address,
    chainId: state.chainId,
    router: state.router,
    token: state.token,
    balance: state.balance === null ? null : fromBaseUnits(state.balance),
    allowance: state.allowanceUnlimited ? 'unlimited' : state.allowance === null ? null : fromBaseUnits(state.allowance),
    ledger: Object.fromEntries(
      Object.entries(ledger).map(([status, total]) => [status, { count: total.count, amount: fromBaseUnits(total.amount) }]),
    ) as TreasuryView['ledger'],
  };
}
