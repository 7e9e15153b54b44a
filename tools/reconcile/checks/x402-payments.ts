import type { Payment } from '@nexus/types';

/**
 * An x402 payment (docs/x402.md, "The facilitator"): a third party paid one of
 * our providers through the payment service's facilitator. It has no agent,
 * decision or hold, and it moved through the token's transferWithAuthorization,
 * not the router.
 */
export const isX402 = (payment: Payment): boolean => payment.method === 'x402';

/**
 * An x402-out payment (docs/x402.md, "Paying x402 APIs"): an agent paid an
 * external x402 service on a grant. It has its decision and hold like any
 * grant's payment, but it moved through the token's transferWithAuthorization
 * (the treasury's authorization, submitted by the service), not the router.
 */
export const isX402Out = (payment: Payment): boolean => payment.method === 'x402-out';

/** A payment the token's ERC-3009 events tell (AuthorizationUsed and its Transfer): an x402 or an x402-out one. */
export const movedByAuthorization = (payment: Payment): boolean => isX402(payment) || isX402Out(payment);

/** The agent the audit trail names for a payment: an x402 payment's event names its payer (lower case). */
export const auditAgentOf = (payment: Payment): string => (isX402(payment) ? (payment.payer ?? '').toLowerCase() : payment.agentId);

/** The payments of the grants the policy made: the ledger without its x402 payments (an x402-out payment is a grant's). */
export const grantPaymentsOf = (payments: readonly Payment[]): Payment[] => payments.filter((payment) => !isX402(payment));

/** The payments the router carried: the grants' payments but the x402-out ones. */
export const routerPaymentsOf = (payments: readonly Payment[]): Payment[] => payments.filter((payment) => !movedByAuthorization(payment));
