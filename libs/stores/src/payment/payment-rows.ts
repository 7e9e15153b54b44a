import { decodeKeysetCursor, encodeKeysetCursor } from '../keyset-cursor';
import type { Selectable } from 'kysely';
import { PAYMENT_METHODS, PAYMENT_STATUSES, type PaymentMethod, type PaymentRecord, type PaymentStatus } from './payment-store';
import type { PaymentTables } from './payment-tables';

export type PaymentRow = Selectable<PaymentTables['payments']>;

export const ms = (date: Date) => BigInt(date.getTime());
const toDate = (value: bigint) => new Date(Number(value));

function statusOf(value: string): PaymentStatus {
  const status = PAYMENT_STATUSES.find((candidate) => candidate === value);
  if (!status) throw new Error(`unknown payment status in the ledger: ${value}`);
  return status;
}

const methodOf = (value: string): PaymentMethod => PAYMENT_METHODS.find((method) => method === value) ?? 'grant';

export function toPayment(row: PaymentRow): PaymentRecord {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    agentId: row.agent_id,
    serviceId: row.service_id,
    payee: row.payee,
    amount: row.amount,
    decisionId: row.decision_id,
    reservationId: row.reservation_id,
    mode: row.mode === 'mock' ? 'mock' : 'chain',
    paymentRef: row.payment_ref,
    status: statusOf(row.status),
    txHash: row.tx_hash,
    txNonce: row.tx_nonce === null ? null : Number(row.tx_nonce),
    rawTx: row.raw_tx,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    gasUsed: row.gas_used,
    failure: row.failure_code ? { code: row.failure_code, message: row.failure_message ?? '' } : null,
    refund: row.refunded_at !== null ? { txHash: row.refund_tx_hash, reason: row.refund_reason ?? '', at: toDate(row.refunded_at) } : null,
    attempts: Number(row.attempts),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    settledAt: row.settled_at === null ? null : toDate(row.settled_at),
    method: methodOf(row.method),
    payer: row.payer,
    authorizationNonce: row.authorization_nonce,
    x402Payload: row.x402_payload,
    served: row.served === null ? null : Number(row.served) === 1,
  };
}

/** Newest-first pages: the cursor is the (created_at, id) of the last item handed out. */
export const encodeCursor = (row: Pick<PaymentRecord, 'createdAt' | 'id'>): string => encodeKeysetCursor(row.createdAt, row.id);

export function decodeCursor(cursor: string): { createdAt: bigint; id: string } {
  const { at, id } = decodeKeysetCursor(cursor, /pay_[0-9a-f]{32}/);
  return { createdAt: at, id };
}
