import type { Payment } from '@nexus/types';

/**
 * An x402 payment (docs/x402.md, "The facilitator"): a third party paid one of
 * our providers through the payment service's facilitator. It has no agent,
 * decision or hold, and it moved through the token's transferWithAuthorization,
 * not the router.
 */
export const isX402 = (payment: Payment): boolean => payment.method === 'x402';

/** The agent the audit trail names for a payment: an x402 payment's event names its payer (lower case). */
export const auditAgentOf = (payment: Payment): string => (isX402(payment) ? (payment.payer ?? '').toLowerCase() : payment.agentId);

/** The payments of the grants the policy made: the ledger without its x402 payments. */
export const grantPaymentsOf = (payments: readonly Payment[]): Payment[] => payments.filter((payment) => !isX402(payment));
